{{!-- A money amount as an exact decimal, rounded to cents: sums of decimals do not drift like doubles. --}}
cast(round({{column}}, 2) as decimal(18, 2))
