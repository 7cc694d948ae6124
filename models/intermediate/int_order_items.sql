{{config partitioned_by="day(created_at)"}}
-- One row per order line, from the items of each order's order_created event (the only event that
-- carries them). Feeds category revenue (seed 004) and inventory (seed 002).
with created as (
{{#> dedupe key="order_id" order_by="event_time, event_id"}}
    select order_id, event_time, event_id, items
    from {{ref "stg_order_events"}}
    where event_type = 'order_created' and items is not null
{{/dedupe}}
)

select
    created.order_id,
    cast(item.line_number as integer) as line_number,
    item.sku as product_id,
    item.qty as quantity,
    {{> money column="item.unit_price"}} as unit_price,
    {{> money column="item.unit_price * item.qty"}} as line_amount,
    created.event_time as created_at
from created
cross join unnest(created.items) with ordinality as item (sku, qty, unit_price, line_number)
