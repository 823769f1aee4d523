#!/usr/bin/env python3
"""A scripted stand-in for an OpenAI-compatible model provider, for pgassist's tests.

It speaks the wire formats of the Responses API (`POST /v1/responses`) and Chat Completions
(`POST /v1/chat/completions`) as described in shared/openai/WIRE.md: JSON bodies, SSE streams,
the error envelope and the 400s the real API gives to broken tool loops. What the "model" says
is scripted per test through a control API that lives beside the model endpoints:

    POST /__script   {"steps": [...]}  replaces the queue of answers (one step per model call);
                     with "loop": true the steps repeat forever (each used step goes to the back)
    GET  /__requests                   every model request received so far (auth masked)
    POST /__reset                      clears the queue, the recorded requests and the memory

A step is one of (every key optional unless noted):
    {"text": "..."}                                   an assistant message
    {"toolCalls": [{"name", "arguments" (string), "callId"?}], "text"?: "..."}
    {"error": {"status": 429, "headers"?: {...}, "body"?: {...}}}
  plus modifiers: "delayMs" (sleep before answering), "cutStreamAfterEvents" (close the
  connection after that many SSE events, or mid-body for JSON), "pauseAfterEvents" with "pauseMs"
  (a stream goes silent for pauseMs after that many SSE events, then goes on), "reasoning": true
  (answer as a reasoning model), "usage": {"input": n, "output": n, "reasoning"?: n} (token counts).

Usage: python3 fake_openai.py --port 0 --port-file PATH [--api-key sk-test] [--openapi openapi.yaml]
Standard library only; PyYAML and jsonschema are imported lazily for --openapi.
"""

import argparse
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "PythonSupport"))
import stand_in  # noqa: E402 - found through the path set just above

TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_CALL_ID = 64
MIN_OUTPUT_TOKENS = 16


log = stand_in.logger("fake_openai")


def new_id(prefix):
    """An id shaped like OpenAI's: a prefix and random hex."""
    return f"{prefix}_{secrets.token_hex(12)}"


# ---------------------------------------------------------------------------------------------
# Errors: every refusal is an APIError rendered as the envelope {"error": {message, type, param, code}}.

class APIError(Exception):
    """A refusal with its HTTP status, rendered as OpenAI's error envelope."""

    def __init__(self, status, message, type_="invalid_request_error", param=None, code=None, headers=None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type_, param, code
        self.headers = headers or {}

    def body(self):
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def bad_request(message, param=None, code=None):
    return APIError(400, message, param=param, code=code)


def missing(param):
    return bad_request(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")


def default_error_body(status):
    """The envelope the real API sends for a status when a script step gives no body."""
    known = {
        400: ("Bad request.", "invalid_request_error", None),
        401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
        403: ("Country, region, or territory not supported", "request_forbidden", "unsupported_country_region_territory"),
        404: ("The model does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"),
        408: ("Request timed out.", "server_error", None),
        409: ("Conflict.", "invalid_request_error", None),
        429: ("Rate limit reached for requests. Please try again later.", "requests", "rate_limit_exceeded"),
        500: ("The server had an error while processing your request. Sorry about that!", "server_error", None),
        503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    }
    message, type_, code = known.get(status, (f"HTTP {status}", "server_error" if status >= 500 else "invalid_request_error", None))
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


# ---------------------------------------------------------------------------------------------
# State shared by all request threads.

class State:
    """The script queue, the recorded requests and what the fake must remember across calls."""

    def __init__(self, api_key, validator):
        self.api_key = api_key
        self.validator = validator
        self.lock = threading.Lock()
        self.requests = stand_in.RequestLog()
        self.reset()

    def reset(self):
        self.requests.clear()
        with self.lock:
            self.steps = []
            self.loop = False
            # call_id -> (fc item id, rs item id) for calls a reasoning model made.
            self.reasoned_calls = {}
            # response id -> call_ids it returned, for previous_response_id (only stored responses).
            self.stored_responses = {}

    def script(self, steps, loop=False):
        with self.lock:
            self.steps = list(steps)
            self.loop = loop

    def next_step(self):
        with self.lock:
            if not self.steps:
                return None
            step = self.steps.pop(0)
            if self.loop:
                self.steps.append(step)
            return step

    def remember_reasoning(self, call_id, fc_id, rs_id):
        with self.lock:
            self.reasoned_calls[call_id] = (fc_id, rs_id)

    def reasoning_for(self, call_id):
        with self.lock:
            return self.reasoned_calls.get(call_id)

    def store_response(self, response_id, call_ids):
        with self.lock:
            self.stored_responses[response_id] = list(call_ids)

    def stored_calls(self, response_id):
        with self.lock:
            return self.stored_responses.get(response_id)


# ---------------------------------------------------------------------------------------------
# Optional validation against the published OpenAPI description.

class SpecValidator:
    """Validates request bodies against `CreateResponse` / `CreateChatCompletionRequest`.

    The YAML (about 3 MB) is parsed once at startup; each compiled validator is cached, and
    `$ref`s resolve inside the document because the schema carries its `components`.
    """

    SCHEMAS = {"responses": "CreateResponse", "chat": "CreateChatCompletionRequest"}

    def __init__(self, path):
        import yaml  # lazily: only --openapi needs it
        import jsonschema
        self.jsonschema = jsonschema
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        started = time.monotonic()
        with open(path, encoding="utf-8") as file:
            self.components = yaml.load(file, Loader=loader)["components"]
        self.cache = {}
        self.lock = threading.Lock()
        log(f"OpenAPI validation on ({path}, loaded in {time.monotonic() - started:.1f} s)")

    def validator(self, api):
        with self.lock:
            if api not in self.cache:
                schema = {"$ref": f"#/components/schemas/{self.SCHEMAS[api]}", "components": self.components}
                self.cache[api] = self.jsonschema.Draft202012Validator(schema)
            return self.cache[api]

    def check(self, api, body):
        error = self.jsonschema.exceptions.best_match(self.validator(api).iter_errors(body))
        if error is None:
            return
        param = openai_path(error.absolute_path)
        where = f" at '{param}'" if param else ""
        raise bad_request(f"Invalid request body{where}: {error.message}", param, "invalid_value")


def openai_path(parts):
    """A JSON path the way the API's messages name it: `input[0].call_id`; None for the root."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


def load_validator(path):
    """The spec validator, or None (with a log line saying why validation is skipped)."""
    if not path:
        log("OpenAPI validation off (no --openapi given)")
        return None
    if not os.path.exists(path):
        log(f"OpenAPI validation off ({path} does not exist)")
        return None
    try:
        return SpecValidator(path)
    except ImportError as error:
        log(f"OpenAPI validation off ({error}; install python3-yaml and python3-jsonschema)")
        return None


# ---------------------------------------------------------------------------------------------
# Request checks shared by both APIs.

def check_auth(headers, api_key):
    value = headers.get("Authorization")
    if not value:
        raise APIError(401, "You didn't provide an API key. You need to provide your API key in an Authorization "
                            "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
                            "(with blank username) if you're accessing the API from your browser and are prompted for "
                            "a username and password. You can obtain an API key from "
                            "https://platform.openai.com/account/api-keys.")
    scheme, _, key = value.partition(" ")
    if scheme != "Bearer" or key.strip() != api_key:
        shown = f"{key[:3]}*****{key[-4:]}" if len(key) > 8 else "*****"
        raise APIError(401, f"Incorrect API key provided: {shown}. You can find your API key at "
                            "https://platform.openai.com/account/api-keys.", code="invalid_api_key")


def parse_body(raw):
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict):
        raise bad_request("We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                          "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
                          "sent was not valid JSON.)")
    return body


def check_model(body):
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise bad_request("you must provide a model parameter")


def check_strict_schema(function, schema, param, context=()):
    """Strict mode: every object lists all its properties in `required` and forbids extra ones."""
    if not isinstance(schema, dict):
        return
    prefix = f"Invalid schema for function '{function}': In context={context!r}, "
    if schema.get("type") == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        required = schema.get("required")
        if not isinstance(required, list) or any(name not in required for name in properties):
            absent = [name for name in properties if not isinstance(required, list) or name not in required]
            raise bad_request(prefix + "'required' is required to be supplied and to be an array including every "
                              f"key in properties. Missing '{absent[0]}'.", param, "invalid_function_parameters")
        if schema.get("additionalProperties") is not False:
            raise bad_request(prefix + "'additionalProperties' is required to be supplied and to be false.",
                              param, "invalid_function_parameters")
        for name, child in properties.items():
            check_strict_schema(function, child, param, context + ("properties", name))
    if "items" in schema:
        check_strict_schema(function, schema["items"], param, context + ("items",))
    for keyword in ("anyOf", "$defs", "definitions"):
        children = schema.get(keyword)
        pairs = enumerate(children) if isinstance(children, list) else (children or {}).items()
        for key, child in pairs:
            check_strict_schema(function, child, param, context + (keyword, key))


def check_function(name, parameters, strict, param):
    """The rules both APIs apply to one function tool; `param` names it (e.g. `tools[0]`)."""
    if not isinstance(name, str) or not TOOL_NAME.match(name):
        raise bad_request(f"Invalid '{param}.name': string does not match pattern. Expected a string that matches "
                          f"the pattern '^[a-zA-Z0-9_-]+$' with at most 64 characters.", f"{param}.name",
                          "invalid_value")
    if parameters is not None and not isinstance(parameters, dict):
        raise bad_request(f"Invalid type for '{param}.parameters': expected an object.", f"{param}.parameters",
                          "invalid_type")
    if strict is True:
        check_strict_schema(name, parameters or {}, f"{param}.parameters")


def check_max_output_tokens(body):
    field, value = "max_output_tokens", body.get("max_output_tokens")
    if isinstance(value, int) and not isinstance(value, bool) and value < MIN_OUTPUT_TOKENS:
        raise bad_request(f"Invalid '{field}': integer below minimum value. Expected a value >= "
                          f"{MIN_OUTPUT_TOKENS}, but got {value} instead.", field, "integer_below_min_value")


# ---------------------------------------------------------------------------------------------
# Responses API checks.

def check_responses_tools(tools):
    for index, tool in enumerate(tools or []):
        param = f"tools[{index}]"
        if not isinstance(tool, dict) or "type" not in tool:
            raise missing(f"{param}.type")
        if tool["type"] != "function":
            continue  # built-in tools (web_search, …) are not checked
        if "name" not in tool:
            raise missing(f"{param}.name")
        for field in ("parameters", "strict"):
            if field not in tool:
                raise missing(f"{param}.{field}")
        check_function(tool["name"], tool["parameters"], tool["strict"], param)


def input_items(body):
    """The `input` list (a plain string means one user message)."""
    value = body.get("input")
    if value is None or isinstance(value, str):
        return []
    if not isinstance(value, list):
        raise bad_request("Invalid type for 'input': expected one of a string or array of input items.",
                          "input", "invalid_type")
    return value


def check_call_ids(items):
    for index, item in enumerate(items):
        call_id = item.get("call_id") if isinstance(item, dict) else None
        if isinstance(call_id, str) and len(call_id) > MAX_CALL_ID:
            raise bad_request(f"Invalid 'input[{index}].call_id': string too long. Expected a string with maximum "
                              f"length {MAX_CALL_ID}, but got a string with length {len(call_id)} instead.",
                              f"input[{index}].call_id", "string_above_max_length")


def check_call_pairs(items, earlier_calls):
    """Each function_call needs a later output, and each output a call (here or in the previous response)."""
    calls = set(earlier_calls)
    for index, item in enumerate(items):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "function_call":
            calls.add(item.get("call_id"))
            answered = any(isinstance(later, dict) and later.get("type") == "function_call_output"
                           and later.get("call_id") == item.get("call_id") for later in items[index + 1:])
            if not answered:
                raise bad_request(f"No tool output found for function call {item.get('call_id')}.", "input")
        elif kind == "function_call_output" and item.get("call_id") not in calls:
            raise bad_request(f"No tool call found for function call output with call_id {item.get('call_id')}.",
                              "input")


def check_reasoning_replay(items, state):
    """A replayed call of a reasoning model must come after the reasoning item it was produced with."""
    seen_reasoning = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "reasoning":
            seen_reasoning.add(item.get("id"))
        elif item.get("type") == "function_call":
            remembered = state.reasoning_for(item.get("call_id"))
            if remembered and remembered[1] not in seen_reasoning:
                fc_id = item.get("id") or remembered[0]
                raise bad_request(f"Item '{fc_id}' of type 'function_call' was provided without its required "
                                  f"'reasoning' item: '{remembered[1]}'.", "input")


def check_responses_request(body, state):
    check_model(body)
    check_max_output_tokens(body)
    check_responses_tools(body.get("tools"))
    items = input_items(body)
    check_call_ids(items)
    earlier = []
    previous = body.get("previous_response_id")
    if previous is not None:
        earlier = state.stored_calls(previous)
        if earlier is None:
            raise bad_request(f"Previous response with id '{previous}' not found.", "previous_response_id",
                              "previous_response_not_found")
    check_call_pairs(items, earlier)
    check_reasoning_replay(items, state)


# ---------------------------------------------------------------------------------------------
# Chat Completions checks.

def check_chat_tools(tools):
    for index, tool in enumerate(tools or []):
        param = f"tools[{index}]"
        if not isinstance(tool, dict) or "type" not in tool:
            raise missing(f"{param}.type")
        if not isinstance(tool.get("function"), dict):
            raise missing(f"{param}.function")
        function = tool["function"]
        if "name" not in function:
            raise missing(f"{param}.function.name")
        check_function(function["name"], function.get("parameters"), function.get("strict"), f"{param}.function")


def check_chat_messages(messages):
    if not isinstance(messages, list) or not messages:
        raise missing("messages")
    pending, pending_index = [], None  # tool_call_ids still waiting for their tool message
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role == "tool":
            if "tool_call_id" not in message:
                raise missing(f"messages.[{index}].tool_call_id")
            if message["tool_call_id"] not in pending:
                raise bad_request("Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                                  "message with 'tool_calls'.", f"messages.[{index}].role")
            pending.remove(message["tool_call_id"])
            continue
        check_no_pending(pending, pending_index)
        if role == "assistant" and message.get("tool_calls"):
            pending = [call.get("id") for call in message["tool_calls"] if isinstance(call, dict)]
            pending_index = index
    check_no_pending(pending, pending_index)


def check_no_pending(pending, index):
    if pending:
        raise bad_request("An assistant message with 'tool_calls' must be followed by tool messages responding to "
                          "each 'tool_call_id'. The following tool_call_ids did not have response messages: "
                          + ", ".join(str(call_id) for call_id in pending), f"messages.[{index}].role")


def check_chat_request(body, state):
    check_model(body)
    check_chat_tools(body.get("tools"))
    check_chat_messages(body.get("messages"))


# ---------------------------------------------------------------------------------------------
# Turning a script step into the model's answer.

def step_calls(step):
    """The step's tool calls with ids filled in: [(call_id, name, arguments)]."""
    calls = []
    for call in step.get("toolCalls") or []:
        call_id = call.get("callId") or "call_" + secrets.token_urlsafe(18).replace("-", "").replace("_", "")[:24]
        calls.append((call_id, call["name"], call.get("arguments", "{}")))
    return calls


def usage_counts(step, body):
    """(input, output, reasoning) token counts: the step's, or a rough 4-bytes-per-token estimate."""
    given = step.get("usage") or {}
    produced = (step.get("text") or "") + "".join(call.get("arguments", "") for call in step.get("toolCalls") or [])
    input_tokens = given.get("input", max(1, len(json.dumps(body)) // 4))
    output_tokens = given.get("output", max(1, len(produced) // 4))
    reasoning = given.get("reasoning", 8 if step.get("reasoning") else 0)
    return input_tokens, output_tokens, reasoning


def pieces(text, count=3):
    """Splits text into up to `count` deltas, the way a stream delivers it."""
    if not text:
        return []
    size = max(1, -(-len(text) // count))
    return [text[start:start + size] for start in range(0, len(text), size)]


def responses_output(step, body, state):
    """The `output` items of a Responses answer; remembers reasoning calls for the replay rule."""
    output, rs_id = [], None
    if step.get("reasoning"):
        rs_id = new_id("rs")
        item = {"type": "reasoning", "id": rs_id, "summary": []}
        if "reasoning.encrypted_content" in (body.get("include") or []) and body.get("store") is False:
            item["encrypted_content"] = "gAAAAA" + secrets.token_urlsafe(48)
        output.append(item)
    if step.get("text") is not None:
        output.append({"type": "message", "id": new_id("msg"), "role": "assistant", "status": "completed",
                       "content": [{"type": "output_text", "text": step["text"], "annotations": [], "logprobs": []}]})
    for call_id, name, arguments in step_calls(step):
        fc_id = new_id("fc")
        output.append({"type": "function_call", "id": fc_id, "call_id": call_id, "name": name,
                       "arguments": arguments, "status": "completed"})
        if rs_id:
            state.remember_reasoning(call_id, fc_id, rs_id)
    return output


def responses_object(body, output, usage, status="completed"):
    input_tokens, output_tokens, reasoning = usage
    return {
        "id": new_id("resp"), "object": "response", "created_at": int(time.time()), "status": status,
        "background": False, "error": None, "incomplete_details": None, "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"), "model": body.get("model"), "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"), "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0), "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []), "top_p": body.get("top_p", 1.0), "truncation": body.get("truncation", "disabled"),
        "usage": {"input_tokens": input_tokens,
                  "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                  "output_tokens": output_tokens, "output_tokens_details": {"reasoning_tokens": reasoning},
                  "total_tokens": input_tokens + output_tokens},
        "metadata": body.get("metadata") or {},
    }


def responses_answer(step, body, state):
    response = responses_object(body, responses_output(step, body, state), usage_counts(step, body))
    if body.get("store", True) is not False:
        calls = [item["call_id"] for item in response["output"] if item["type"] == "function_call"]
        state.store_response(response["id"], calls)
    return response


def responses_events(response):
    """The SSE events of a finished Response, in order, as (type, payload) without sequence numbers."""
    shell = dict(response, status="in_progress", output=[], usage=None)
    events = [("response.created", {"response": shell}), ("response.in_progress", {"response": shell})]
    for index, item in enumerate(response["output"]):
        events += item_events(index, item)
    events.append(("response.completed", {"response": response}))
    return events


def item_events(index, item):
    """added → deltas → done events for one output item."""
    opened = dict(item, status="in_progress") if "status" in item else dict(item)
    if item["type"] == "message":
        opened["content"] = []
    if item["type"] == "function_call":
        opened["arguments"] = ""
    if item["type"] == "reasoning":
        opened.pop("encrypted_content", None)
    events = [("response.output_item.added", {"output_index": index, "item": opened})]
    if item["type"] == "message":
        events += text_events(index, item)
    elif item["type"] == "function_call":
        where = {"item_id": item["id"], "output_index": index}
        events += [("response.function_call_arguments.delta", dict(where, delta=delta))
                   for delta in pieces(item["arguments"])]
        events.append(("response.function_call_arguments.done",
                       dict(where, name=item["name"], arguments=item["arguments"])))
    events.append(("response.output_item.done", {"output_index": index, "item": item}))
    return events


def text_events(index, item):
    part = item["content"][0]
    where = {"item_id": item["id"], "output_index": index, "content_index": 0}
    events = [("response.content_part.added", dict(where, part=dict(part, text="")))]
    events += [("response.output_text.delta", dict(where, delta=delta, logprobs=[])) for delta in pieces(part["text"])]
    events.append(("response.output_text.done", dict(where, text=part["text"], logprobs=[])))
    events.append(("response.content_part.done", dict(where, part=part)))
    return events


def responses_frames(response):
    """`event: <type>\\ndata: <json>\\n\\n` frames with `type` and `sequence_number` in every payload."""
    frames = []
    for number, (kind, payload) in enumerate(responses_events(response)):
        data = dict({"type": kind}, **payload, sequence_number=number)
        frames.append(f"event: {kind}\ndata: {json.dumps(data)}\n\n")
    return frames


def chat_answer(step, body):
    calls = step_calls(step)
    message = {"role": "assistant", "content": step.get("text"), "refusal": None, "annotations": []}
    if calls:
        message["tool_calls"] = [{"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}
                                 for call_id, name, args in calls]
    input_tokens, output_tokens, reasoning = usage_counts(step, body)
    return {
        "id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion", "created": int(time.time()),
        "model": body.get("model"), "system_fingerprint": "fp_fake", "service_tier": "default",
        "choices": [{"index": 0, "message": message, "logprobs": None,
                     "finish_reason": "tool_calls" if calls else "stop"}],
        "usage": {"prompt_tokens": input_tokens, "completion_tokens": output_tokens,
                  "total_tokens": input_tokens + output_tokens,
                  "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0,
                                                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
    }


def chat_deltas(answer):
    """The `choices[0]` of each chunk: role, text pieces, tool-call fragments, then finish_reason."""
    message, choice = answer["choices"][0]["message"], answer["choices"][0]
    deltas = [({"role": "assistant", "content": "", "refusal": None}, None)]
    deltas += [({"content": piece}, None) for piece in pieces(message["content"] or "")]
    for index, call in enumerate(message.get("tool_calls") or []):
        first = {"index": index, "id": call["id"], "type": "function",
                 "function": {"name": call["function"]["name"], "arguments": ""}}
        deltas.append(({"tool_calls": [first]}, None))
        deltas += [({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}, None)
                   for piece in pieces(call["function"]["arguments"])]
    deltas.append(({}, choice["finish_reason"]))
    return deltas


def chat_frames(answer, body):
    """`data: <json>\\n\\n` chunks, the usage chunk when asked for, then `data: [DONE]`."""
    options = body.get("stream_options") or {}
    with_usage = options.get("include_usage") is True
    common = {key: answer[key] for key in ("id", "created", "model", "system_fingerprint", "service_tier")}
    common["object"] = "chat.completion.chunk"
    chunks = []
    for delta, finish in chat_deltas(answer):
        chunk = dict(common, choices=[{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}])
        if with_usage:
            chunk["usage"] = None
        chunks.append(chunk)
    if with_usage:
        chunks.append(dict(common, choices=[], usage=answer["usage"]))
    if options.get("include_obfuscation") is not False:
        for chunk in chunks:
            chunk["obfuscation"] = secrets.token_urlsafe(6)
    return [f"data: {json.dumps(chunk)}\n\n" for chunk in chunks] + ["data: [DONE]\n\n"]


# ---------------------------------------------------------------------------------------------
# The HTTP server.

class Handler(BaseHTTPRequestHandler):
    """Routes model calls and control calls; one instance per request, on its own thread."""

    protocol_version = "HTTP/1.1"  # chunked streams, so that a cut stream is visibly truncated
    server_version = "fake-openai/1.0"
    sys_version = ""
    state: State = None  # set by main()

    MODEL_PATHS = {"/v1/responses": "responses", "/responses": "responses",
                   "/v1/chat/completions": "chat", "/chat/completions": "chat"}

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass  # replaced by one line per request in log_request_line

    def log_request_line(self, status, note=""):
        log(f"{self.command} {self.path} -> {status}{(' ' + note) if note else ''}")

    # -- entry points

    def do_GET(self):
        if self.path == "/__requests":
            self.read_body()
            return self.send_json(200, self.state.requests.recorded())
        self.not_found()

    def do_POST(self):
        raw = self.read_body()
        path = self.path.split("?")[0]
        if path == "/__script":
            return self.control_script(raw)
        if path == "/__reset":
            self.state.reset()
            return self.send_json(200, {"ok": True})
        if path not in self.MODEL_PATHS:
            return self.not_found()
        self.model_call(self.MODEL_PATHS[path], raw)

    def do_DELETE(self):
        self.read_body()
        self.not_found()

    do_PUT = do_PATCH = do_DELETE

    # -- control API

    def control_script(self, raw):
        try:
            script = json.loads(raw.decode("utf-8"))
            steps, loop = script["steps"], script.get("loop", False)
            if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
                raise ValueError("steps must be an array of objects")
            if not isinstance(loop, bool):
                raise ValueError("loop must be true or false")
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
            return self.send_json(400, {"error": {"message": f"bad script: {error}", "type": "invalid_request_error",
                                                  "param": "steps", "code": None}})
        self.state.script(steps, loop)
        self.send_json(200, {"ok": True, "queued": len(steps), "loop": loop})

    # -- model calls

    def model_call(self, api, raw):
        self.record(raw)
        try:
            check_auth(self.headers, self.state.api_key)
            body = parse_body(raw)
            # Checks whose real wording is known run before the spec, which would word them differently.
            check_model(body)
            if api == "responses":
                check_call_ids(input_items(body))
            if self.state.validator:
                self.state.validator.check(api, body)
            (check_responses_request if api == "responses" else check_chat_request)(body, self.state)
            step = self.state.next_step()
            if step is None:
                raise APIError(500, "no scripted step", "server_error", code="no_scripted_step")
            self.answer(api, step, body)
        except APIError as error:
            self.send_json(error.status, error.body(), error.headers, note=error.message[:120])

    def answer(self, api, step, body):
        if step.get("delayMs"):
            time.sleep(step["delayMs"] / 1000)
        if "error" in step:
            spec = step["error"]
            status = int(spec.get("status", 500))
            return self.send_json(status, spec.get("body") or default_error_body(status), spec.get("headers"),
                                  note="scripted error")
        cut = step.get("cutStreamAfterEvents")
        pause = (step.get("pauseAfterEvents"), step.get("pauseMs", 0))
        if api == "responses":
            response = responses_answer(step, body, self.state)
            if body.get("stream"):
                return self.send_stream(responses_frames(response), cut, pause)
            return self.send_json(200, response, cut_body=cut is not None)
        answer = chat_answer(step, body)
        if body.get("stream"):
            return self.send_stream(chat_frames(answer, body), cut, pause)
        self.send_json(200, answer, cut_body=cut is not None)

    def record(self, raw):
        """Keeps the request for GET /__requests, with the Authorization value masked."""
        headers = {}
        for name, value in self.headers.items():
            if name.lower() == "authorization":
                value = "*" * max(0, len(value) - 4) + value[-4:]
            headers[name] = value
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            body = raw.decode("utf-8", "replace")
        self.state.requests.record({"method": self.command, "path": self.path, "headers": headers, "body": body})

    # -- writing answers

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def common_headers(self):
        self.send_header("x-request-id", "req_" + secrets.token_hex(16))
        self.send_header("openai-processing-ms", "12")
        self.send_header("x-ratelimit-limit-requests", "10000")
        self.send_header("x-ratelimit-remaining-requests", "9999")
        self.send_header("x-ratelimit-reset-requests", "6ms")

    def send_json(self, status, payload, headers=None, note="", cut_body=False):
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.common_headers()
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        if cut_body:
            self.wfile.write(data[:len(data) // 2])
            self.log_request_line(status, "cut mid-body")
            return self.drop_connection()
        self.wfile.write(data)
        self.log_request_line(status, note)

    def send_stream(self, frames, cut_after=None, pause=(None, 0)):
        """Writes SSE frames as HTTP chunks; with `cut_after`, drops the connection after that many.

        `pause` is (after how many frames, milliseconds): the stream stays silent that long there.
        A client that hangs up meanwhile ends the answer (logged), as it would end a real one.
        """
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.common_headers()
        self.end_headers()
        pause_after, pause_ms = pause
        for number, frame in enumerate(frames):
            if cut_after is not None and number >= cut_after:
                self.log_request_line(200, f"stream cut after {cut_after} of {len(frames)} events")
                return self.drop_connection()
            if number == pause_after:
                time.sleep(pause_ms / 1000)
            data = frame.encode("utf-8")
            try:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            except OSError:
                self.close_connection = True
                return self.log_request_line(200, f"client went away after {number} of {len(frames)} events")
        self.wfile.write(b"0\r\n\r\n")
        self.log_request_line(200, f"stream of {len(frames)} events")

    def drop_connection(self):
        """Ends the connection without the end of the body, as a network failure would."""
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def not_found(self):
        message = f"Invalid URL ({self.command} {self.path})"
        self.send_json(404, {"error": {"message": message, "type": "invalid_request_error",
                                       "param": None, "code": None}}, note=message)


# ---------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description="A scripted OpenAI-compatible model provider for tests.")
    stand_in.add_server_arguments(parser)
    parser.add_argument("--api-key", default=os.environ.get("FAKE_OPENAI_API_KEY", "sk-test"))
    parser.add_argument("--openapi", help="openapi.yaml to validate request bodies against")
    options = parser.parse_args()
    Handler.state = State(options.api_key, load_validator(options.openapi))
    stand_in.serve(Handler, options, log)


if __name__ == "__main__":
    main()
