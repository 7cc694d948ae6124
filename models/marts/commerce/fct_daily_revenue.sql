-- Revenue per UTC day (seed 001): revenue is the sum of the amounts of paid orders, dated by the UTC date
-- of their order_paid event (cancelled orders are never paid). Average order value = revenue / paid orders.
select
    paid_date as revenue_date,
    count(*) as paid_orders,
    sum(amount) as revenue,
    cast(round(sum(amount) / count(*), 2) as decimal(18, 2)) as avg_order_value,
    count(distinct customer_key) as paying_customers
from {{ref "fct_orders"}}
where is_paid
group by paid_date
