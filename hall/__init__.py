"""Hall: queues, tickets and calls for a district's government service centres (政务服务中心)."""
