// JSONValue is part of the HTTP model's vocabulary (bodies, stored JSON): re-export it.
@_exported import JSON
