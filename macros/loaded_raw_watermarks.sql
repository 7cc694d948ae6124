{{!--
  One row: how far a staging table ({{this}}) has loaded its raw table, read from the Iceberg table's file
  metadata (`$files`: each data file's upper bound per column), so it costs the number of files, not rows.
  - file_watermark: the newest raw file time (`_raw_file_modified_at`, S3 LastModified) of a loaded row.
  - ingest_watermark: the newest `_ingested_at` of a file whose newest row is not stamped later than
    Trino's clock (only a row written behind the sink's back can be, issue 12: such a file does not
    count, so not even that row can stop loads). Only used while no loaded row has a file time yet
    (tables staged before the column existed).
  readable_metrics is JSON (bounds as ISO text, `2026-12-06T16:00:00.123456`), so a column the table does
  not have yet reads as null instead of failing.
--}}
select
    max(file_upper) as file_watermark,
    max(ingest_upper) filter (
        where ingest_upper <= cast(current_timestamp at time zone 'UTC' as timestamp(6))
    ) as ingest_watermark
from (
    select
        cast(replace(json_extract_scalar(readable_metrics, '$["_raw_file_modified_at"]["upper_bound"]'), 'T', ' ') as timestamp(6)) as file_upper,
        cast(replace(json_extract_scalar(readable_metrics, '$["_ingested_at"]["upper_bound"]'), 'T', ' ') as timestamp(6)) as ingest_upper
    from "{{this.catalog}}"."{{this.schema}}"."{{this.identifier}}$files"
    where content = 0
) as loaded_files
