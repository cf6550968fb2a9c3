"""The organisation portal: server-rendered GOV.UK Design System pages over the services."""
