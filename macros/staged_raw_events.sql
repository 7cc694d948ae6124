{{!--
  The shape every staging model shares over a raw topic table: read the raw rows (on incremental runs only
  those inside the lookback window), keep the first arrival of each event_id, type the envelope columns and
  skip events already loaded (first arrival wins, so a late duplicate never rewrites a row). The block
  lists the topic's own columns, each followed by a comma.
  Usage: {{#> staged_raw_events relation=(source "raw" "orders")}} order_id, ... {{/staged_raw_events}}
--}}
with raw_events as (
    select *
    from {{relation}}
{{#if (is_incremental)}}
    where {{> lookback_predicate}}
{{/if}}
),

deduped as (
{{#> dedupe key="event_id" order_by="_ingested_at, _kafka_partition, _kafka_offset"}}
    select * from raw_events
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
    _kafka_offset
from deduped
{{#if (is_incremental)}}
where not exists (select 1 from {{this}} as loaded where loaded.event_id = deduped.event_id)
{{/if}}
