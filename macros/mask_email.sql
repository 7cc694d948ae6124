{{!-- Masks an e-mail address for display: first character and domain kept (j***@example.com). --}}
regexp_replace({{column}}, '^(.)[^@]*(@.*)$', '$1***$2')
