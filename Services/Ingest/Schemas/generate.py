#!/usr/bin/env python3
"""Writes ingest's API documents: lead-submission.schema.json (the generic JSON lead, JSON Schema
2020-12), openapi.json (OpenAPI 3.1 for the whole ingest HTTP API, embedding that schema), and
../Sources/HTTP/IngestOpenAPI.swift (the same document, served at GET /v1/openapi.json).
Run it after changing the API; the ingest tests check the three agree and validate."""
import json, pathlib

here = pathlib.Path(__file__).parent

def s(desc=None, **kw):
    d = {"type": "string", **kw}
    if desc: d["description"] = desc
    return d

def nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}

id_like = {"type": ["string", "integer"], "description": "An id; numbers are read exactly from their digits (never through a float)."}
money = {
    "description": "An amount: an object, or one string such as \"$51,995.00\" or \"EUR 1.234,50\", or a number.",
    "oneOf": [
        {"type": "object", "additionalProperties": False, "required": ["amount"], "properties": {
            "amount": {"type": ["string", "number"], "description": "Decimal amount; strings may carry grouping and a symbol."},
            "currency": s("ISO 4217 code; default LEADFLOW_INGEST_DEFAULT_CURRENCY.", pattern="^[A-Za-z]{3}$")}},
        {"type": "string", "maxLength": 64},
        {"type": "number", "minimum": 0},
    ]}
date_time = s("A timestamp: RFC 3339 (Z or an offset, also +0000), 'YYYY-MM-DD hh:mm:ss' (UTC), a date, MM/DD/YYYY or Unix seconds.", maxLength=64)
short = lambda desc=None: s(desc, maxLength=256)
vehicle_props = {
    "id": id_like,
    "interest": s(enum=["buy", "lease", "sell", "trade_in", "test_drive", "service", "other"]),
    "status": s(enum=["new", "used", "certified", "unknown"]),
    "kind": s("inventory (a unit with VIN or stock number) or search (a wish); inferred when absent.", enum=["inventory", "search"]),
    "year": {"type": ["integer", "string"], "description": "Model year, 1900 to next year + 1."},
    "make": short(), "model": short(), "trim": short(),
    "vin": s("17-character VIN (spaces and dashes ignored).", maxLength=32),
    "stock": {"type": ["string", "integer"]},
    "bodyStyle": short("As sent, e.g. SUV; also classifies vehicleType."),
    "vehicleType": short("Routing's vehicle type (suv, truck, ev…); derived from bodyStyle/model when absent."),
    "mileage": {"type": ["integer", "string"]},
    "price": money,
    "isPreferred": {"type": "boolean"},
    "comments": s(maxLength=5000),
}
vehicle = {"type": "object", "additionalProperties": False, "properties": vehicle_props}
trade_in = {"type": "object", "additionalProperties": False, "properties": {
    "year": {"type": ["integer", "string"]}, "make": short(), "model": short(), "trim": short(),
    "vin": s(maxLength=32), "mileage": {"type": ["integer", "string"]},
    "condition": s(enum=["excellent", "good", "fair", "poor", "unknown"]), "valuation": money, "comments": s(maxLength=5000)}}
custom_scalar = {"type": ["string", "number", "boolean"]}

lead_schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://leadflow.dev/schemas/ingest/lead-submission/v1.json",
    "title": "Lead submission",
    "description": "The body of POST /v1/leads and of application/json messages on leads.inbound. Unknown properties are refused. Field lengths and list sizes are capped by LEADFLOW_INGEST_* limits; at least one e-mail or phone is required.",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "externalId": {**id_like, "description": "The lead's id at the sender; a re-delivery with the same id changes nothing."},
        "sourceId": s("The source submitted for (integrations with several sources; platform admins).", maxLength=64),
        "submittedAt": date_time,
        "name": {"oneOf": [s("Full name; split into parts.", maxLength=256), {"type": "object", "additionalProperties": False, "properties": {
            "first": short(), "middle": short(), "last": short(), "full": short("Used when the parts are absent.")}}]},
        "email": s("Shortcut for one e-mail address.", maxLength=256),
        "emails": {"type": "array", "maxItems": 20, "items": {"oneOf": [s(maxLength=256), {"type": "object", "additionalProperties": False, "required": ["address"], "properties": {
            "address": s(maxLength=256), "type": s(enum=["home", "work", "other"]), "preferred": {"type": "boolean"}}}]}},
        "phone": {"type": ["string", "integer"], "description": "Shortcut for one phone number."},
        "phones": {"type": "array", "maxItems": 20, "items": {"oneOf": [s(maxLength=64), {"type": "object", "additionalProperties": False, "required": ["number"], "properties": {
            "number": {"type": ["string", "integer"]}, "type": s(enum=["mobile", "home", "work", "fax", "other"]), "preferred": {"type": "boolean"}}}]}},
        "address": {"type": "object", "additionalProperties": False, "properties": {
            "lines": {"type": "array", "maxItems": 5, "items": s(maxLength=256)}, "city": short(), "region": short(),
            "postalCode": {"type": ["string", "integer"]}, "country": s("ISO 3166 alpha-2 (names and alpha-3 of common countries are accepted).", maxLength=64)}},
        "vehicles": {"type": "array", "maxItems": 20, "items": vehicle},
        "tradeIns": {"type": "array", "maxItems": 20, "items": trade_in},
        "budget": {"type": "object", "additionalProperties": False, "properties": {"min": money, "max": money}},
        "timeframe": {"type": "object", "additionalProperties": False, "properties": {
            "description": short("The customer's words, e.g. 'Within 1 month'."), "earliest": date_time, "latest": date_time,
            "bucket": s(enum=["immediate", "within_week", "within_month", "within_3_months", "later", "unknown"])}},
        "lifecycleStage": s(enum=["lead", "quote", "request", "confirmed"]),
        "comments": s("Free text; stored as data, never interpreted.", maxLength=5000),
        "customFields": {"type": "object", "maxProperties": 50, "propertyNames": {"maxLength": 64},
                         "additionalProperties": {"anyOf": [custom_scalar, {"type": "array", "items": custom_scalar}]}},
        "consent": {"type": "object", "additionalProperties": False, "properties": {
            "email": {"type": "boolean"}, "sms": {"type": "boolean"}, "phone": {"type": "boolean"}, "marketing": {"type": "boolean"}, "recordedAt": date_time}},
        "partner": short("The partner the lead belongs to, e.g. the dealer group."),
        "attribution": {"type": "object", "additionalProperties": False, "properties": {
            "partner": short("The ad network or marketplace."), "campaignId": id_like, "campaignName": short(), "adId": id_like, "formId": id_like}},
        "isTest": {"type": "boolean"},
        "manual": {"type": "object", "additionalProperties": False, "required": ["kind"], "description": "Manual entry by a person (bearer token).", "properties": {
            "kind": s(enum=["phone", "walk_in", "referral", "other"]), "referredBy": short()}},
        "locationId": s("Manual entry: the location the lead is for (managers: one of theirs).", maxLength=256),
    },
}

ref = lambda name: {"$ref": f"#/components/schemas/{name}"}
problem_response = lambda desc: {"description": desc, "content": {"application/problem+json": {"schema": ref("Problem")}}}
std_errors = {
    "400": problem_response("Unreadable body: invalid_json, invalid_utf8, too_deeply_nested, duplicate_key."),
    "401": problem_response("No or bad credentials."),
    "403": problem_response("The caller may not do this (forbidden, source_mismatch)."),
    "413": problem_response("body_too_large."),
    "415": problem_response("unsupported_media_type."),
    "422": problem_response("A field broke a rule: the problem names field and rule."),
    "429": problem_response("rate_limited (Retry-After) or too_many_authentication_failures."),
}
def errors(*codes):
    return {c: std_errors[c] for c in codes}
json_body = lambda schema, required=True: {"required": required, "content": {"application/json": {"schema": schema}}}
accepted = lambda schema, desc="Accepted: committed to the database, events in the outbox.": {"202": {"description": desc, "content": {"application/json": {"schema": schema}}}}
lead_id_param = {"name": "leadId", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
idem = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 200},
        "description": "Replays the first answer for the same caller and key instead of acting twice."}
bearer = [{"bearer": []}]
intake_auth = [{"apiKey": []}, {"bearer": []}]

def command(summary, schema, extra_params=(), desc=None):
    op = {"summary": summary, "tags": ["lifecycle"], "security": bearer, "parameters": [lead_id_param, *extra_params, idem],
          "requestBody": json_body(schema),
          "responses": {**accepted(ref("CommandResult")), **errors("400", "401", "403", "413", "415", "422"),
                        "404": problem_response("not_found: no such lead, or out of your scope; task_not_found, appointment_not_found."),
                        "409": problem_response("The lead's state forbids it: illegal_transition, terminal_status, no_change, no_location, task_already_completed, …"),
                        "410": problem_response("lead_erased.")}}
    if desc: op["description"] = desc
    return {"post": op}

obj = lambda props, required=(): {"type": "object", "additionalProperties": False, "properties": props, **({"required": list(required)} if required else {})}
lost_reason = s(enum=["purchased_elsewhere", "price_too_high", "wrong_vehicle_type", "bad_credit", "no_longer_interested", "other"])
follow_up = obj({"kind": s(enum=["one_hour", "tomorrow", "three_days", "one_week", "custom"]), "seconds": {"type": "integer", "minimum": 1}}, ["kind"])

openapi = {
    "openapi": "3.1.0",
    "info": {"title": "Leadflow ingest", "version": "1.0.0",
             "description": "The write gateway: intake channels, CSV import, sources and API keys, lifecycle commands and one-click action links. Every error is an RFC 9457 problem with a stable code (docs/ingest.md lists them)."},
    "servers": [{"url": "http://127.0.0.1:8081"}],
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "A source's intake key (lfk_…)."},
            "metaSignature": {"type": "apiKey", "in": "header", "name": "X-Hub-Signature-256"},
        },
        "schemas": {
            "LeadSubmission": {k: v for k, v in lead_schema.items() if k != "$schema"},
            "Problem": obj({"type": s(), "title": s(), "status": {"type": "integer"}, "detail": s(), "code": s(), "field": s(), "rule": s()}, ["type", "title", "status", "detail", "code"]),
            "AcceptedLead": obj({"leadId": s(format="uuid"), "outcome": s(enum=["created", "merged", "redelivered"]), "eventId": s(format="uuid")}, ["leadId", "outcome"]),
            "AcceptedLeads": obj({"leadId": s(format="uuid"), "leads": {"type": "array", "items": ref("AcceptedLead")}}, ["leads"]),
            "CommandResult": obj({"leadId": s(format="uuid"), "eventIds": {"type": "array", "items": s(format="uuid")},
                                  "changes": {"type": "array", "items": s()}, "lifecycleStage": s(), "pipelineStatus": s(),
                                  "locationResponse": s(), "taskId": s(), "appointmentId": s()}, ["leadId", "eventIds", "changes"]),
            "ImportJob": obj({"id": s(format="uuid"), "sourceId": s(), "createdBy": s(), "status": s(enum=["running", "completed", "failed"]),
                              "bytesRead": {"type": "integer"}, "rowsRead": {"type": "integer"}, "accepted": {"type": "integer"},
                              "merged": {"type": "integer"}, "redelivered": {"type": "integer"}, "rejected": {"type": "integer"},
                              "failure": s(), "createdAt": s(format="date-time"), "updatedAt": s(format="date-time"), "finishedAt": s(format="date-time"),
                              "errors": {"type": "array", "items": obj({"row": {"type": "integer"}, "line": {"type": "integer"}, "code": s(), "field": s(), "rule": s(), "detail": s()})}},
                             ["id", "status", "rowsRead", "accepted", "merged", "rejected", "errors"]),
            "Source": obj({"id": s(), "name": s(), "channel": s(), "partner": s(), "rateLimitPerMinute": {"type": "integer"},
                           "createdAt": s(format="date-time"), "disabledAt": s(format="date-time")}, ["id", "name", "channel"]),
            "ApiKey": obj({"keyId": s(), "sourceId": s(), "label": s(), "createdAt": s(format="date-time"), "expiresAt": s(format="date-time"),
                           "revokedAt": s(format="date-time"), "active": {"type": "boolean"}}),
            "IssuedApiKey": obj({"keyId": s(), "sourceId": s(), "apiKey": s("Shown once; store it."), "label": s(), "createdAt": s(format="date-time"),
                                 "expiresAt": s(format="date-time"), "previousKeysExpireAt": s(format="date-time")}, ["keyId", "apiKey"]),
            "Vehicle": vehicle,
            "TradeIn": trade_in,
        },
    },
    "paths": {
        "/v1/leads": {"post": {
            "summary": "Submit a lead (generic JSON), or enter one by hand", "tags": ["intake"], "security": intake_auth,
            "description": "Integrations (X-API-Key or an integration_source token) submit for their source. Managers, salespeople and admins enter leads by hand with `manual` (phone, walk_in, referral); a salesperson owns what they enter. The same person (normalized e-mail or phone) within the de-duplication window merges into the existing lead (outcome merged, a duplicate_inquiry lifecycle event); a known externalId changes nothing (outcome redelivered).",
            "requestBody": json_body(ref("LeadSubmission")),
            "responses": {**accepted(ref("AcceptedLead")), **errors("400", "401", "403", "413", "415", "422", "429")}}},
        "/v1/leads/adf": {"post": {
            "summary": "Submit an ADF/XML document (one lead per prospect)", "tags": ["intake"], "security": intake_auth,
            "parameters": [{"name": "sourceId", "in": "query", "required": False, "schema": {"type": "string"}}],
            "description": "UTF-8 or ISO-8859-1 (declared in the prolog). DOCTYPE and entity declarations are refused (xml_doctype_forbidden), as are undeclared entities (xml_entity_forbidden); nothing is ever expanded or loaded. All prospects are stored or none.",
            "requestBody": {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}, "text/xml": {"schema": {"type": "string"}}}},
            "responses": {**accepted(ref("AcceptedLeads")), **errors("400", "401", "403", "413", "415", "422", "429")}}},
        "/v1/leads/import": {"post": {
            "summary": "Import a CSV file (streamed)", "tags": ["intake"], "security": intake_auth,
            "description": "The header row names the columns (email, phone, first name, …; unknown ones become custom fields). Rows are stored in batches while the upload streams; refused rows are listed per row. Choose the job id to watch progress during the upload.",
            "parameters": [{"name": "sourceId", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "jobId", "in": "query", "required": False, "schema": {"type": "string", "format": "uuid"}},
                           {"name": "X-Import-Id", "in": "header", "required": False, "schema": {"type": "string", "format": "uuid"}}],
            "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}},
            "responses": {**accepted(ref("ImportJob"), "The import finished; the job with its counts and row errors."),
                          **errors("401", "403", "413", "415", "422", "429"), "409": problem_response("import_exists.")}}},
        "/v1/imports/{importId}": {"get": {
            "summary": "An import job's progress and row errors", "tags": ["intake"], "security": intake_auth,
            "parameters": [{"name": "importId", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}],
            "responses": {"200": {"description": "The job.", "content": {"application/json": {"schema": ref("ImportJob")}}},
                          **errors("401"), "404": problem_response("not_found (or not yours).")}}},
        "/v1/webhooks/meta": {
            "get": {"summary": "Meta subscription handshake", "tags": ["webhooks"], "security": [],
                    "parameters": [{"name": n, "in": "query", "required": True, "schema": {"type": "string"}} for n in ["hub.mode", "hub.verify_token", "hub.challenge"]],
                    "responses": {"200": {"description": "The challenge, echoed.", "content": {"text/plain": {"schema": {"type": "string"}}}},
                                  **errors("401", "422"), "503": problem_response("channel_not_configured.")}},
            "post": {"summary": "Meta Lead Ads leadgen notifications", "tags": ["webhooks"], "security": [{"metaSignature": []}],
                     "description": "X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app secret) is checked first. Each leadgen id is queued durably and fetched from the Graph API; failed fetches are retried and finally dead-lettered. Other objects and fields are acknowledged and ignored.",
                     "requestBody": json_body({"type": "object"}),
                     "responses": {"200": {"description": "Received.", "content": {"application/json": {"schema": obj({"received": {"type": "integer"}, "queued": {"type": "integer"}})}}},
                                   **errors("400", "401", "413", "422", "429"), "503": problem_response("channel_not_configured.")}}},
        "/v1/webhooks/google": {"post": {
            "summary": "Google Ads lead-form webhook", "tags": ["webhooks"], "security": [],
            "description": "google_key in the body must match LEADFLOW_INGEST_GOOGLE_KEY (else 401). Test leads (is_test) are stored flagged.",
            "requestBody": json_body({"type": "object", "required": ["lead_id", "user_column_data", "google_key"]}),
            "responses": {"200": {"description": "Stored; the body Google expects: {}.", "content": {"application/json": {"schema": {"type": "object", "maxProperties": 0}}}},
                          **errors("401", "413", "422", "429"), "503": problem_response("channel_not_configured.")}}},
        "/v1/sources": {
            "get": {"summary": "List sources", "tags": ["sources"], "security": bearer,
                    "responses": {"200": {"description": "Sources.", "content": {"application/json": {"schema": obj({"sources": {"type": "array", "items": ref("Source")}})}}}, **errors("401", "403")}},
            "post": {"summary": "Create a source", "tags": ["sources"], "security": bearer,
                     "requestBody": json_body(obj({"id": s(pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"), "name": short(), "channel": s(enum=["json", "adf", "meta", "google", "csv", "manual", "topic"]),
                                                   "partner": short(), "rateLimitPerMinute": {"type": "integer", "minimum": 1}}, ["id", "name"])),
                     "responses": {"201": {"description": "Created.", "content": {"application/json": {"schema": ref("Source")}}}, **errors("400", "401", "403", "422"),
                                   "409": problem_response("source_exists.")}}},
        "/v1/sources/{sourceId}": {
            "parameters": [{"name": "sourceId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"summary": "A source", "tags": ["sources"], "security": bearer,
                    "responses": {"200": {"description": "The source.", "content": {"application/json": {"schema": ref("Source")}}}, **errors("401", "403"), "404": problem_response("not_found.")}},
            "delete": {"summary": "Disable a source (its keys stop working)", "tags": ["sources"], "security": bearer,
                       "responses": {"204": {"description": "Disabled."}, **errors("401", "403"), "404": problem_response("not_found.")}}},
        "/v1/sources/{sourceId}/keys": {
            "parameters": [{"name": "sourceId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"summary": "A source's API keys (never their secrets)", "tags": ["sources"], "security": bearer,
                    "responses": {"200": {"description": "Keys.", "content": {"application/json": {"schema": obj({"keys": {"type": "array", "items": ref("ApiKey")}})}}}, **errors("401", "403"), "404": problem_response("not_found.")}},
            "post": {"summary": "Issue an API key", "tags": ["sources"], "security": bearer,
                     "requestBody": json_body(obj({"label": short(), "expiresAt": s(format="date-time")}), required=False),
                     "responses": {"201": {"description": "The key, shown once.", "content": {"application/json": {"schema": ref("IssuedApiKey")}}}, **errors("401", "403", "422"), "404": problem_response("not_found.")}}},
        "/v1/sources/{sourceId}/keys/rotate": {
            "parameters": [{"name": "sourceId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "post": {"summary": "Rotate: issue a new key; the others keep working for graceSeconds", "tags": ["sources"], "security": bearer,
                     "requestBody": json_body(obj({"label": short(), "graceSeconds": {"type": "integer", "minimum": 0}}), required=False),
                     "responses": {"201": {"description": "The new key, shown once.", "content": {"application/json": {"schema": ref("IssuedApiKey")}}}, **errors("401", "403", "422"), "404": problem_response("not_found.")}}},
        "/v1/sources/{sourceId}/keys/{keyId}": {
            "parameters": [{"name": "sourceId", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "keyId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "delete": {"summary": "Revoke a key now", "tags": ["sources"], "security": bearer,
                       "responses": {"204": {"description": "Revoked."}, **errors("401", "403"), "404": problem_response("not_found.")}}},
        "/v1/leads/{leadId}/stage": command("Move the lifecycle stage forward", obj({"to": s(enum=["lead", "quote", "request", "confirmed"])}, ["to"])),
        "/v1/leads/{leadId}/status": command("Change the pipeline status (lost needs lostReason; other needs a note)",
                                             obj({"to": s(), "lostReason": lost_reason, "note": s(maxLength=5000), "pipelineId": s()}, ["to"])),
        "/v1/leads/{leadId}/location-response": command("Record the location's response",
                                                        obj({"to": s(enum=["acknowledged", "accepted", "rejected", "won", "lost", "complete"]),
                                                             "note": s(maxLength=5000), "lostReason": lost_reason, "followUpDelay": follow_up}, ["to"])),
        "/v1/leads/{leadId}/notes": command("Add a note", obj({"text": s(maxLength=5000)}, ["text"])),
        "/v1/leads/{leadId}/activities": command("Log a call, e-mail, chat, SMS or meeting",
                                                 obj({"id": s(), "kind": s(enum=["call", "email", "chat", "sms", "meeting"]), "direction": s(enum=["inbound", "outbound"]),
                                                      "outcome": s(enum=["connected", "no_answer", "voicemail", "busy", "sent", "delivered", "received", "replied", "bounced", "completed", "cancelled", "other"]),
                                                      "summary": s(maxLength=5000), "at": s(format="date-time"), "durationSeconds": {"type": "integer", "minimum": 0}}, ["kind"])),
        "/v1/leads/{leadId}/tasks": command("Create a task", obj({"id": s(), "title": short(), "dueAt": s(format="date-time"),
                                                                  "category": s(enum=["third_party", "manual", "sold"]), "assigneeId": s()}, ["title", "dueAt"])),
        "/v1/leads/{leadId}/tasks/{taskId}/complete": command("Complete a task with a comment and the next follow-up",
                                                              obj({"comment": s(maxLength=5000), "nextFollowUpAt": s(format="date-time")}, ["comment"]),
                                                              [{"name": "taskId", "in": "path", "required": True, "schema": {"type": "string"}}]),
        "/v1/leads/{leadId}/appointments": command("Schedule an appointment", obj({"id": s(), "at": s(format="date-time"), "kind": s(enum=["test_drive", "visit", "call"]),
                                                                                   "locationId": s(), "notes": s(maxLength=5000)}, ["at"])),
        "/v1/leads/{leadId}/appointments/{appointmentId}/outcome": command("Record whether an appointment was kept",
                                                                           obj({"kept": {"type": "boolean"}, "outcome": s(enum=["kept", "no_show"])}),
                                                                           [{"name": "appointmentId", "in": "path", "required": True, "schema": {"type": "string"}}]),
        "/v1/leads/{leadId}/vehicles": command("Add a vehicle of interest", ref("Vehicle")),
        "/v1/leads/{leadId}/trade-ins": command("Add a trade-in", ref("TradeIn")),
        "/v1/leads/{leadId}/collaborators": command("Add or remove collaborators", obj({"add": {"type": "array", "items": s()}, "remove": {"type": "array", "items": s()}})),
        "/v1/leads/{leadId}/assignment": command("Reassign by hand with a note (managers, admins)", obj({"ownerId": s(), "locationId": s(), "note": s(maxLength=5000)}, ["ownerId", "note"])),
        "/v1/leads/{leadId}/conversion": command("Record the sale (closes the lead as won)", obj({
            "vehicleSold": ref("Vehicle"), "finalPrice": money, "financing": obj({"method": s(enum=["cash", "finance", "lease"]), "lender": short()}, ["method"]),
            "tradeIn": ref("TradeIn"), "deliveryDate": s(format="date-time")})),
        "/v1/leads/{leadId}/merge": command("Merge other leads into this surviving one (managers in scope of every lead, admins)", obj({
            "mergeLeadIds": {"type": "array", "minItems": 1, "maxItems": 20, "items": s(format="uuid")},
            "fieldChoices": {"type": "object", "additionalProperties": False, "description": "Which lead's value wins a conflicting field (the survivor's by default).",
                             "properties": {f: s(format="uuid") for f in ["name", "email", "phone", "address", "budget", "timeframe", "comments", "partner"]}}},
            ["mergeLeadIds"]),
            desc="The survivor keeps every activity, task, note, appointment, vehicle, trade-in, collaborator and score history of the merged leads; "
                 "merged ids keep resolving to it. Problems: self_merge, invalid_field, unknown_field (422); already_merged, has_merged_leads, lead_merged (409)."),
        "/v1/leads/{leadId}/unmerge": command("Undo a merge: restore the merged leads as they were", obj({
            "leadIds": {"type": "array", "minItems": 1, "maxItems": 20, "items": s(format="uuid"), "description": "Restore only these (default: all)."},
            "moveEvents": {"type": "array", "maxItems": 1000, "description": "Events recorded after the merge to move to a restored lead (they stay on the survivor otherwise).",
                           "items": obj({"eventId": s(format="uuid"), "toLeadId": s(format="uuid")}, ["eventId", "toLeadId"])}}),
            desc="Changes made to the survivor since the merge are kept. Problems: not_merged (409)."),
        "/v1/leads/{leadId}": {"delete": {
            "summary": "Erase the lead's personal data (GDPR); anonymous facts stay", "tags": ["lifecycle"], "security": bearer,
            "parameters": [lead_id_param, idem],
            "responses": {**accepted(ref("CommandResult")), **errors("401", "403"), "404": problem_response("not_found.")}}},
        "/v1/actions/{token}": {
            "parameters": [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "reason", "in": "query", "required": False, "schema": lost_reason, "description": "lost: the lost reason."},
                           {"name": "note", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "amount", "in": "query", "required": False, "schema": {"type": "string"}, "description": "report_revenue: the revenue."},
                           {"name": "currency", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "rating", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 5}, "description": "review_location: 1 to 5."},
                           {"name": "comment", "in": "query", "required": False, "schema": {"type": "string"}}],
            "get": {"summary": "Follow a one-click action link (signed, expiring, single-use)", "tags": ["actions"], "security": [],
                    "responses": {**accepted(ref("CommandResult")), **errors("401", "422"), "404": problem_response("not_found."),
                                  "409": problem_response("link_already_used, link_not_current, or the lead's state forbids it."), "410": problem_response("lead_erased.")}},
            "post": {"summary": "Follow a one-click action link (for pages that confirm first)", "tags": ["actions"], "security": [],
                     "responses": {**accepted(ref("CommandResult")), **errors("401", "422"), "404": problem_response("not_found."),
                                   "409": problem_response("link_already_used, link_not_current, or the lead's state forbids it."), "410": problem_response("lead_erased.")}}},
        "/v1/openapi.json": {"get": {"summary": "This document", "tags": ["meta"], "security": intake_auth,
                                     "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {"type": "object"}}}}, **errors("401")}}},
    },
}

(here / "lead-submission.schema.json").write_text(json.dumps(lead_schema, indent=2) + "\n")
(here / "openapi.json").write_text(json.dumps(openapi, indent=2) + "\n")
compact = json.dumps(openapi, separators=(",", ":"), sort_keys=True)
swift = f'''// Generated by Services/Ingest/Schemas/generate.py — edit that script, not this file.

/// The OpenAPI 3.1 document of ingest's HTTP API, served at `GET /v1/openapi.json`
/// (the same as Services/Ingest/Schemas/openapi.json; the tests check they agree).
enum IngestOpenAPI {{
    static let document = #"""
{compact}
"""#
}}
'''
(here.parent / "Sources/HTTP/IngestOpenAPI.swift").write_text(swift)
print("wrote lead-submission.schema.json, openapi.json, Sources/HTTP/IngestOpenAPI.swift")
