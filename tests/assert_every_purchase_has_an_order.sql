-- Business rule (seed 000/001): every purchase event belongs to an order the order stream knows, and that
-- order was paid. Failing rows: purchase events without an order, or whose order is not paid.
select
    purchases.event_id,
    purchases.order_id,
    orders.status
from {{ref "stg_user_events"}} as purchases
left join {{ref "fct_orders"}} as orders on orders.order_id = purchases.order_id
where purchases.event_type = 'purchase'
    and (orders.order_id is null or not orders.is_paid)
