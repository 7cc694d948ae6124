{{!--
  Keeps one row per key from the query in the block: at-least-once delivery (producer retries, sink
  replays) repeats events, so staging keeps the first arrival of each event_id, also within one batch.
  Adds `_dedupe_rank`; select the columns you want from the result.
  Usage: {{#> dedupe key="event_id" order_by="_ingested_at, _kafka_partition, _kafka_offset"}} select ... {{/dedupe}}
--}}
select *
from (
    select
        _candidates.*,
        row_number() over (partition by {{key}} order by {{order_by}}) as _dedupe_rank
    from (
{{> @partial-block}}
    ) as _candidates
) as _ranked
where _dedupe_rank = 1
