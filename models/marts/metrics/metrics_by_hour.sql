{{config partitioned_by="day(bucket_start)" sorted_by="bucket_start"}}
-- Seed 003's metric aggregates at the hour grain, by country and device.
{{> event_metrics grain="hour"}}
