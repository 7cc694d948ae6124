{{!--
  The incremental filter of a staging model over a raw table: rows ingested within `lookback_days` of the
  newest row already loaded. The watermark is ingestion time (_ingested_at, the sink's clock), never a
  value an event carries: one event dated 9999-12-31 used to move an event_date bound to year 9999, after
  which every load read nothing (issue 12). So a late event is picked up however old its event_time, and
  `lookback_days` only has to cover how long a row can take to appear in raw after the sink read it (file
  rolls, an S3 outage). Loaded rows stamped later than Trino's clock (only a row written behind the sink's
  back could be) do not count towards the watermark, so not even such a row can stop loads; rows already
  loaded are skipped by staged_raw_events. There is no event_date bound, as event time cannot bound where
  new rows are: every raw partition is listed. The bound is cast to the raw column's type, timestamp(3):
  then Trino pushes it into the raw scan as a dynamic filter and skips row groups by their _ingested_at
  statistics (compared as timestamp(6), the column was cast instead and every row was read).
--}}
_ingested_at > cast((
    select coalesce(max(_ingested_at), timestamp '1970-01-01 00:00:00')
    from {{this}}
    where _ingested_at <= cast(current_timestamp at time zone 'UTC' as timestamp(6))
) - interval '{{var "lookback_days" 3}}' day as timestamp(3))
