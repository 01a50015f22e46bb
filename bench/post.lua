-- wrk's request for scripts/bench.sh: the follow call's POST, same body, unsigned.
wrk.method = "POST"
wrk.body = "user_id=2244994945&follow=false"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
