-- Business rule (seed 004): category revenue is paid order lines, so per day it equals the paid orders'
-- totals within one cent per order (totals are rounded once per order, lines once per line).
with by_category as (
    select revenue_date, sum(revenue) as category_revenue
    from {{ref "product_category_revenue"}}
    group by revenue_date
)

select
    daily.revenue_date,
    daily.revenue,
    by_category.category_revenue
from {{ref "fct_daily_revenue"}} as daily
left join by_category on by_category.revenue_date = daily.revenue_date
where by_category.category_revenue is null
    or abs(by_category.category_revenue - daily.revenue) > 0.01 * daily.paid_orders
