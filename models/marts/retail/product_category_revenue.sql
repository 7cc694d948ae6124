-- Revenue per product category and UTC day of payment (seed 004): the order lines of paid orders. A paid
-- order whose lines are not known yet (its order_created event is late and still in flight) counts under
-- 'unknown' with its order amount, so the categories of a day always add up to the day's revenue.
select
    orders.paid_date as revenue_date,
    coalesce(products.category, 'unknown') as category,
    count(distinct orders.order_id) as orders,
    coalesce(sum(items.quantity), 0) as units,
    sum(coalesce(items.line_amount, orders.amount)) as revenue
from {{ref "fct_orders"}} as orders
left join {{ref "int_order_items"}} as items on items.order_id = orders.order_id
left join {{ref "dim_products"}} as products on products.product_id = items.product_id
where orders.is_paid
group by 1, 2
