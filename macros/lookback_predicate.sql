{{!--
  The incremental filter of a staging model over a raw table (alias `raw`), given the CTE `raw_watermarks`
  (macros/loaded_raw_watermarks.sql): the raw rows that can be new since the last load, and only those, so a
  load costs what is new, not the lookback window (issue 13: deduplicating 3 days of raw rows on every
  load ran out of Trino's 1 GB per node after 1.6 M events).

  1. The row's FILE was written after the newest file already loaded, minus `raw_file_slack_minutes`
     (default 15). `$file_modified_time` is S3's LastModified, which can be earlier than the moment the
     file became listable (a multipart upload is stamped when it was started), so a file stamped before
     the newest loaded one may still have been uploading, invisible, during the last load (and another S3
     server's clock may be a little behind). The slack covers that upload time and skew;
     rows re-read inside it are dropped by the anti-join in staged_raw_events, so it costs the rows of
     `raw_file_slack_minutes` of ingest per load, a bound that does not grow. Both sides are S3's clock,
     never the sink's or Trino's. Trino skips the other files' splits (the bound reaches the Hive page
     source as a dynamic filter); it still lists every raw partition.
  2. `_ingested_at` (the sink's clock, stamped when it READ the row) within `lookback_days` (default 3) of
     that file watermark: a row reaches raw after the sink read it (file rolls, an S3 outage with retries),
     never more than lookback_days later. This bound prunes row groups by their statistics. It is cast to
     the raw column's type, timestamp(3), so Trino pushes it into the scan (compared as timestamp(6), the
     column was cast instead and every row was read).
  The watermarks are the sink's and S3's times, never a value an event carries: one event dated
  9999-12-31 used to move an event_date bound to year 9999, after which every load read nothing
  (issue 12). So a late event is picked up however old its event_time, and lands in its own day.
  A raw compaction (ingest/raw-compaction.ts) rewrites files: their rows look new once, are read again,
  and the anti-join drops them (the same event_id on the same event_date is already loaded).
  Tables staged before `_raw_file_modified_at` existed have no file watermark yet: their first load falls
  back to the ingest watermark (the old rule) and reads every file of the lookback window once.
--}}
raw._ingested_at > cast((
    select coalesce(
        file_watermark - interval '{{var "raw_file_slack_minutes" 15}}' minute,
        ingest_watermark,
        timestamp '1970-01-01 00:00:00'
    ) - interval '{{var "lookback_days" 3}}' day
    from raw_watermarks
) as timestamp(3))
and raw."$file_modified_time" > (
    select cast(with_timezone(coalesce(
        file_watermark - interval '{{var "raw_file_slack_minutes" 15}}' minute,
        timestamp '1970-01-01 00:00:00'
    ), 'UTC') as timestamp(3) with time zone)
    from raw_watermarks
)
