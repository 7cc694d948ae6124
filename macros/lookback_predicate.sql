{{!--
  The incremental filter of a staging model over a raw table: rows ingested within `lookback_days` of the
  newest row already loaded. Filtering on _ingested_at (not event_time) is what lets a late event, whose
  event_time is days old, still be picked up; the event_date bound prunes raw partitions older than the
  window. An event later than the window needs `floe build --full-refresh`.
--}}
_ingested_at > (select coalesce(max(_ingested_at), timestamp '1970-01-01 00:00:00') from {{this}}) - interval '{{var "lookback_days" 3}}' day
and event_date >= date_format((select coalesce(max(event_time), timestamp '1970-01-01 00:00:00') from {{this}}) - interval '{{var "lookback_days" 3}}' day, '%Y-%m-%d')
