-- Stores a new OAuth flow in one round trip: the per-(provider, user) advisory lock, the drop of
-- expired flows and of this user's oldest beyond the cap, then the insert (src/lib/connections/
-- state-store.ts, insertState). A VOLATILE function takes a fresh snapshot for each statement it
-- runs (PostgreSQL documentation, "Function Volatility Categories") under READ COMMITTED, the
-- default isolation, so the drop sees every flow committed before the lock was granted: the cap
-- stays exact under concurrent authorizes, as it did with the three as separate statements of
-- one transaction. (Under REPEATABLE READ, as with those statements, every statement would read
-- the transaction's first snapshot, and two concurrent authorizes could leave one flow more.)
-- The lock is transaction-scoped and lasts until the calling statement's transaction ends. Its
-- key is the one those statements used, so instances of both versions serialise on it during a
-- rolling deploy.
CREATE FUNCTION "oauth_state_put"(
	"p_id" text,
	"p_state_hash" text,
	"p_provider" "platform",
	"p_user_id" text,
	"p_code_verifier" text,
	"p_browser_binding_hash" text,
	"p_return_to" text,
	"p_created_at" timestamp with time zone,
	"p_expires_at" timestamp with time zone,
	"p_max_open" integer
) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('oauth_states:' || p_provider::text || ':' || p_user_id, 0));
	DELETE FROM oauth_states
	WHERE expires_at < p_created_at
		OR id IN (
			SELECT id FROM oauth_states
			WHERE user_id = p_user_id AND provider = p_provider
			ORDER BY created_at DESC, id DESC
			OFFSET p_max_open - 1
		);
	INSERT INTO oauth_states (id, state_hash, provider, user_id, code_verifier, browser_binding_hash, return_to, created_at, expires_at)
	VALUES (p_id, p_state_hash, p_provider, p_user_id, p_code_verifier, p_browser_binding_hash, p_return_to, p_created_at, p_expires_at);
END
$$;
