{{config materialized="incremental" incremental_strategy="merge" unique_key="event_id" incremental_predicates="DBT_INTERNAL_DEST.event_date = DBT_INTERNAL_SOURCE.event_date" on_schema_change="append_new_columns" partitioned_by="day(event_time)"}}
-- One row per catalog change (product_created, product_updated), deduplicated on event_id. Updates are
-- partial: a column an update does not carry is null here, and dim_products takes each attribute's
-- latest non-null value.
{{#> staged_raw_events relation=(source "raw" "product_metadata")}}
    product_id,
    name as product_name,
    category,
    {{> money column="price"}} as price,
    currency,
    stock_quantity,
    is_active,
    brand,
{{/staged_raw_events}}
