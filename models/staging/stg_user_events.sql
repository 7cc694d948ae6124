{{config materialized="incremental" incremental_strategy="merge" unique_key="event_id" incremental_predicates="DBT_INTERNAL_DEST.event_date = DBT_INTERNAL_SOURCE.event_date" on_schema_change="append_new_columns" partitioned_by="day(event_time), bucket(user_id, 4)"}}
-- One row per clickstream event (product_view → add_to_cart → checkout → purchase), deduplicated on
-- event_id, typed. event_time is when it happened, _ingested_at when the sink read it: late events are
-- picked up by when their raw file appeared (see the lookback_predicate macro) and land in the day of
-- their event_time. incremental_predicates bounds the MERGE to the new rows' days (a duplicate of an
-- event has its event_time, so its day; see the staged_raw_events macro).
-- Laid out as seed 004's stg_user_events: daily partitions, user_id in 4 buckets (CLUSTERED BY ... INTO 4).
{{#> staged_raw_events relation=(source "raw" "user_events")}}
    user_id,
    session_id,
    product_id,
    order_id,
    quantity,
    {{> money column="price"}} as unit_price,
    {{> money column="price * coalesce(quantity, 1)"}} as line_amount,
    currency,
    country,
    device,
    referrer,
    campaign,
    page_url,
{{/staged_raw_events}}
