-- wrk script for blt's benchmarks: POSTs one AWS JSON 1.0 request.
-- Environment: BLT_WRK_BODY (default "{}"), BLT_WRK_TARGET (default
-- Timestream_20181101.ListBatchLoadTasks).
wrk.method = "POST"
wrk.body = os.getenv("BLT_WRK_BODY") or "{}"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = os.getenv("BLT_WRK_TARGET")
  or "Timestream_20181101.ListBatchLoadTasks"
