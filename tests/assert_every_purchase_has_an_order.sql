-- Business rule (seed 000/001): every purchase event belongs to an order the order stream knows.
-- (Its payment may still be in flight: order_paid follows the purchase, so paid is not required here.)
-- Failing rows: purchase events without an order id or whose order is unknown.
select
    purchases.event_id,
    purchases.order_id
from {{ref "stg_user_events"}} as purchases
left join {{ref "fct_orders"}} as orders on orders.order_id = purchases.order_id
where purchases.event_type = 'purchase'
    and orders.order_id is null
