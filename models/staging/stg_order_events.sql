{{config materialized="incremental" incremental_strategy="merge" unique_key="event_id" incremental_predicates="DBT_INTERNAL_DEST.event_date = DBT_INTERNAL_SOURCE.event_date" on_schema_change="append_new_columns" partitioned_by="day(event_time)"}}
-- One row per order lifecycle event (order_created, order_paid, order_shipped, order_cancelled),
-- deduplicated on event_id. Every event repeats the order's amount, customer and country; items come
-- with order_created only (see int_order_items).
{{#> staged_raw_events relation=(source "raw" "orders")}}
    order_id,
    customer_id,
    {{> money column="amount"}} as amount,
    currency,
    country,
    items,
    payment_method,
{{/staged_raw_events}}
