"""AI-use signals derived from consent: Content-Usage, Content Signals, TDMRep, noai,
robots.txt and the crawler registry. Pure: callers bring the decisions and write the output."""
