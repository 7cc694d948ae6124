{{!--
  The shape every staging model shares over a raw topic table: read the raw rows (on incremental runs only
  those that can be new, see lookback_predicate), keep the first arrival of each event_id, type the envelope
  columns, record the raw file's time (`_raw_file_modified_at`, the next load's watermark) and skip events
  already loaded (first arrival wins, so a late duplicate never rewrites a row). The block lists the
  topic's own columns, each followed by a comma.
  Usage: {{#> staged_raw_events relation=(source "raw" "orders")}} order_id, ... {{/staged_raw_events}}

  What an incremental load holds in memory grows with the rows lookback_predicate lets through (the
  new ones and those re-read within the file-time slack), never with the lookback window nor the table
  (issue 13). It first finds which of those rows are not loaded yet, from narrow keys only: the distinct
  (event_id, event_date) of the read rows, anti-joined with the table by a RIGHT JOIN whose build (hashed)
  side is those keys and whose probe side is the table. The match is on event_id AND event_date: a
  duplicate is the same event, so it has the same event_time and sits in the same daily partition, and
  the keys' few dates reach the table scan as a dynamic filter that skips every other day's files. Only
  the rows of new keys are then ranked in full width (dedupe, first arrival wins). The MERGE that writes
  them is bounded to their days the same way (the models' incremental_predicates).
--}}
with
{{#if (is_incremental)}}
raw_watermarks as (
{{> loaded_raw_watermarks}}
),
{{/if}}
raw_events as (
    select
        raw.*,
        cast(raw."$file_modified_time" at time zone 'UTC' as timestamp(6)) as _raw_file_modified_at
    from {{relation}} as raw
{{#if (is_incremental)}}
    where {{> lookback_predicate}}
{{/if}}
),

{{#if (is_incremental)}}
read_keys as (
    select distinct event_id, cast(event_time as date) as event_date
    from raw_events
),

new_keys as (
    select read_keys.event_id, read_keys.event_date
    from {{this}} as loaded
    right join read_keys
        on loaded.event_id = read_keys.event_id
        and loaded.event_date = read_keys.event_date
    where loaded.event_id is null
),

new_events as (
    select raw_events.*
    from raw_events
    join new_keys
        on raw_events.event_id = new_keys.event_id
        and cast(raw_events.event_time as date) = new_keys.event_date
),
{{/if}}

deduped as (
{{#> dedupe key="event_id" order_by="_ingested_at, _kafka_partition, _kafka_offset"}}
{{#if (is_incremental)}}
    select * from new_events
{{else}}
    select * from raw_events
{{/if}}
{{/dedupe}}
)

select
    event_id,
    event_type,
    cast(event_time as timestamp(6)) as event_time,
    cast(event_time as date) as event_date,
{{> @partial-block}}
    coalesce(schema_version, 1) as schema_version,
    attributes,
    cast(_ingested_at as timestamp(6)) as _ingested_at,
    _kafka_partition,
    _kafka_offset,
    _raw_file_modified_at
from deduped
