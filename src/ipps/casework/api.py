from ninja import Router

router = Router(tags=["requests"])

# --- knowledge-base slice (GET/POST /kb, GET /kb/suggest …) ---

# --- end knowledge-base slice ---

# --- case-file slice (GET/PATCH /requests/{id}/case, facts, evidence …) ---

# --- end case-file slice ---

# --- requests slice (GET/POST /requests, GET /requests/{id}, actions, events …) ---

# --- end requests slice ---
