using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Pointer;
using Json.Schema;

namespace AgentCluster.Tests.Conformance;

/// <summary>
/// Validates JSON against the schemas of an OpenAPI 3.0.x document (Fly's Machines API spec), using JsonSchema.Net.
/// </summary>
/// <remarks>
/// OpenAPI 3.0 schema objects are a dialect of JSON Schema draft 4/5, so the document is translated once into a
/// draft 2020-12 schema: every <c>components.schemas</c> entry becomes <c>$defs</c> of one root registered under
/// <see cref="DocumentUri"/>, and each <c>#/components/schemas/X</c> reference becomes <c>#/$defs/X</c>.
/// The translation keeps only the OpenAPI 3.0 schema keywords and rewrites the ones whose meaning differs:
/// <list type="bullet">
/// <item><c>nullable: true</c> allows <c>null</c> (added to <c>type</c> and <c>enum</c>, or, when the schema is a
/// <c>$ref</c>/composition or has no <c>type</c>, wrapped as <c>{"if":{"type":"null"},"else":schema}</c>).</item>
/// <item><c>format</c> is dropped: formats are annotations only and are never asserted.</item>
/// <item><c>example</c>, <c>discriminator</c>, <c>xml</c>, <c>externalDocs</c> and <c>x-*</c> are dropped.</item>
/// <item>Siblings of <c>$ref</c> are ignored, as OpenAPI 3.0 says (only <c>nullable</c> is honoured there).</item>
/// <item>Boolean <c>exclusiveMinimum</c>/<c>exclusiveMaximum</c> become the numeric 2020-12 form.</item>
/// <item>A <c>type</c> that contradicts the sole <c>$ref</c> of a sibling <c>allOf</c> (swaggo writes
/// <c>{"type":"object","allOf":[{"$ref":"…StringEnum"}]}</c>, which nothing could satisfy) is dropped so the
/// referenced schema decides; each such change is listed in <see cref="Adjustments"/>.</item>
/// </list>
/// Unknown properties stay allowed unless a schema says <c>additionalProperties: false</c>.
/// One instance may be shared by all tests: its calls take a lock, and built schemas are cached.
/// </remarks>
public sealed class OpenApiSchemas
{
    /// <summary>The base URI under which the translated document is registered.</summary>
    public const string DocumentUri = "https://agentcluster.tests/openapi/fly-machines.json";

    private const string ComponentRefPrefix = "#/components/schemas/";
    private const string DefsRefPrefix = "#/$defs/";
    private const int MaxInstanceCharsInMessage = 20_000;

    // OpenAPI 3.0 schema-object keywords that mean the same thing in draft 2020-12 and are copied as they are.
    private static readonly HashSet<string> PassThroughKeywords = new(StringComparer.Ordinal)
    {
        "title", "description", "default", "readOnly", "writeOnly", "deprecated",
        "multipleOf", "maximum", "minimum", "maxLength", "minLength", "pattern",
        "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties",
        "required", "enum", "type",
    };

    // Keywords of the OpenAPI 3.0 schema object that carry no validation meaning here.
    private static readonly HashSet<string> IgnoredKeywords = new(StringComparer.Ordinal)
    {
        "format", "example", "discriminator", "xml", "externalDocs",
    };

    private static readonly HashSet<string> HttpMethods = new(StringComparer.Ordinal)
    {
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    };

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    private static readonly Lazy<OpenApiSchemas> LazyFly = new(() => Load(DefaultSpecPath));

    private readonly JsonObject _spec;
    private readonly JsonObject _componentSchemas;
    private readonly JsonObject _translatedDocument;
    private readonly EvaluationOptions _options;
    private readonly Dictionary<string, JsonSchema> _schemaCache = new(StringComparer.Ordinal);

    // JsonNode trees materialise lazily and the schema cache is shared: one lock keeps concurrent tests safe.
    private readonly Lock _lock = new();

    private OpenApiSchemas(string specPath, JsonObject spec, JsonObject componentSchemas, JsonObject translatedDocument,
        JsonSchema document, IReadOnlyList<string> adjustments)
    {
        SpecPath = specPath;
        _spec = spec;
        _componentSchemas = componentSchemas;
        _translatedDocument = translatedDocument;
        Adjustments = adjustments;
        _options = new EvaluationOptions
        {
            EvaluateAs = SpecVersion.Draft202012,
            OutputFormat = OutputFormat.Hierarchical,
            RequireFormatValidation = false,
            OnlyKnownFormats = false,
        };
        _options.SchemaRegistry.Register(new Uri(DocumentUri), document);
    }

    /// <summary>Where the test project copies Fly's spec: <c>TestData/machines-openapi.json</c> beside the tests.</summary>
    public static string DefaultSpecPath => Path.Combine(AppContext.BaseDirectory, "TestData", "machines-openapi.json");

    /// <summary>Fly's Machines API spec from <see cref="DefaultSpecPath"/>, loaded once per test run.</summary>
    public static OpenApiSchemas Fly => LazyFly.Value;

    /// <summary>The file the spec was read from.</summary>
    public string SpecPath { get; }

    /// <summary>The names under <c>components.schemas</c>, in document order.</summary>
    public IReadOnlyList<string> SchemaNames => _componentSchemas.Select(p => p.Key).ToList();

    /// <summary>Places where the spec contradicted itself and the translation relaxed it (see the class remarks).</summary>
    public IReadOnlyList<string> Adjustments { get; }

    /// <summary>Reads and translates the OpenAPI document at <paramref name="specPath"/>.</summary>
    /// <exception cref="InvalidOperationException">The document is not an OpenAPI 3.0 document with
    /// <c>components.schemas</c>, or a <c>$ref</c> points outside <c>components.schemas</c> or at a missing schema.</exception>
    public static OpenApiSchemas Load(string specPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(specPath);
        var spec = JsonNode.Parse(File.ReadAllText(specPath)) as JsonObject
            ?? throw new InvalidOperationException($"'{specPath}' does not hold a JSON object.");
        var version = spec["openapi"]?.GetValue<string>();
        if (version is null || !version.StartsWith("3.0", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"'{specPath}' is not an OpenAPI 3.0 document (openapi: {version ?? "missing"}).");
        }

        var components = spec["components"]?["schemas"] as JsonObject
            ?? throw new InvalidOperationException($"'{specPath}' has no components.schemas object.");

        var translator = new Translator(components, DefsRefPrefix);
        var defs = new JsonObject();
        foreach (var (name, schema) in components)
        {
            defs[name] = translator.Translate(schema, $"#/components/schemas/{EscapeToken(name)}");
        }

        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = DocumentUri,
            ["$defs"] = defs,
        };
        var document = JsonSchema.FromText(root.ToJsonString());
        return new OpenApiSchemas(specPath, spec, components, root, document, translator.Adjustments);
    }

    /// <summary>Validates <paramref name="instance"/> against <c>components.schemas[<paramref name="schemaName"/>]</c>.</summary>
    /// <returns>One line per error, "instance pointer: message (schema location)"; empty when valid.</returns>
    /// <exception cref="KeyNotFoundException">The spec has no such schema.</exception>
    public IReadOnlyList<string> Validate(string schemaName, JsonNode? instance)
    {
        lock (_lock)
        {
            return Evaluate(GetComponentSchema(schemaName), instance);
        }
    }

    /// <summary>
    /// Validates <paramref name="instance"/> against the <c>application/json</c> schema of the response
    /// <paramref name="status"/> of the operation <paramref name="method"/> <paramref name="path"/>, where
    /// <paramref name="path"/> is the spec's path template, e.g. <c>/apps/{app_name}/machines/{machine_id}</c>.
    /// A status missing from the operation falls back to its range key (<c>2XX</c>) and then to <c>default</c>,
    /// as OpenAPI defines.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The operation, the response or its JSON schema is not in the spec.</exception>
    public IReadOnlyList<string> ValidateResponse(string path, string method, int status, JsonNode? instance)
    {
        lock (_lock)
        {
            return Evaluate(GetResponseSchema(path, method, status), instance);
        }
    }

    /// <summary>Fails the test, listing every error and the instance, unless the instance is valid.</summary>
    public void AssertValid(string schemaName, JsonNode? instance)
    {
        var errors = Validate(schemaName, instance);
        if (errors.Count > 0)
        {
            Fail($"schema '{schemaName}'", errors, instance);
        }
    }

    /// <summary>Fails the test, listing every error and the instance, unless the response body is valid.</summary>
    public void AssertValidResponse(string path, string method, int status, JsonNode? instance)
    {
        var errors = ValidateResponse(path, method, status, instance);
        if (errors.Count > 0)
        {
            Fail($"response {status} of {method.ToUpperInvariant()} {path}", errors, instance);
        }
    }

    private JsonSchema GetComponentSchema(string schemaName)
    {
        ArgumentNullException.ThrowIfNull(schemaName);
        if (!_componentSchemas.ContainsKey(schemaName))
        {
            var similar = _componentSchemas.Select(p => p.Key)
                .Where(n => n.Contains(schemaName, StringComparison.OrdinalIgnoreCase)
                    || schemaName.Contains(n, StringComparison.OrdinalIgnoreCase))
                .Take(10)
                .ToList();
            throw new KeyNotFoundException(
                $"The spec '{SpecPath}' has no schema components.schemas['{schemaName}']."
                + (similar.Count > 0 ? $" Similar names: {string.Join(", ", similar)}." : ""));
        }

        var cacheKey = "schema:" + schemaName;
        if (!_schemaCache.TryGetValue(cacheKey, out var schema))
        {
            schema = JsonSchema.FromText(new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$id"] = $"{DocumentUri}/components/{Uri.EscapeDataString(schemaName)}",
                ["$ref"] = DocumentUri + DefsRefPrefix + EscapeToken(schemaName),
            }.ToJsonString());
            _schemaCache[cacheKey] = schema;
        }

        return schema;
    }

    private JsonSchema GetResponseSchema(string path, string method, int status)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(method);
        var verb = method.ToLowerInvariant();
        var operationName = $"{method.ToUpperInvariant()} {path}";

        var paths = _spec["paths"] as JsonObject
            ?? throw new KeyNotFoundException($"The spec '{SpecPath}' has no paths object.");
        if (paths[path] is not JsonObject pathItem)
        {
            var similar = paths.Select(p => p.Key)
                .Where(p => p.StartsWith(path, StringComparison.Ordinal) || path.StartsWith(p, StringComparison.Ordinal))
                .Take(10)
                .ToList();
            throw new KeyNotFoundException(
                $"The spec has no path '{path}' (looking up {operationName})."
                + (similar.Count > 0 ? $" Related paths: {string.Join(", ", similar)}." : ""));
        }

        pathItem = ResolveLocalRef(pathItem, $"paths['{path}']") as JsonObject
            ?? throw new KeyNotFoundException($"The $ref of paths['{path}'] does not lead to a path item object.");
        if (pathItem[verb] is not JsonObject operation)
        {
            var methods = pathItem.Select(p => p.Key).Where(HttpMethods.Contains).Select(m => m.ToUpperInvariant());
            throw new KeyNotFoundException(
                $"The spec has no operation {operationName}; the path has: {string.Join(", ", methods)}.");
        }

        var responses = operation["responses"] as JsonObject
            ?? throw new KeyNotFoundException($"The operation {operationName} has no responses.");
        var statusText = status.ToString(CultureInfo.InvariantCulture);
        var rangeKey = statusText.Length == 3 ? statusText[0] + "XX" : null;
        var key = responses.ContainsKey(statusText) ? statusText
            : rangeKey is not null && responses.ContainsKey(rangeKey) ? rangeKey
            : rangeKey is not null && responses.ContainsKey(rangeKey.ToLowerInvariant()) ? rangeKey.ToLowerInvariant()
            : responses.ContainsKey("default") ? "default"
            : null;
        if (key is null)
        {
            throw new KeyNotFoundException(
                $"The operation {operationName} declares no response {status}; it declares: "
                + $"{string.Join(", ", responses.Select(p => p.Key))}.");
        }

        var where = $"{operationName} response '{key}'";
        if (ResolveLocalRef(responses[key], where) is not JsonObject response)
        {
            throw new KeyNotFoundException($"The {where} is not a response object.");
        }

        if (response["content"] is not JsonObject content || content.Count == 0)
        {
            throw new KeyNotFoundException($"The {where} declares no content, so there is no JSON schema to validate.");
        }

        var mediaType = content["application/json"] is not null ? "application/json"
            : content.Select(p => p.Key).FirstOrDefault(k =>
                k.StartsWith("application/json", StringComparison.OrdinalIgnoreCase));
        if (mediaType is null)
        {
            throw new KeyNotFoundException(
                $"The {where} has no application/json content; it has: {string.Join(", ", content.Select(p => p.Key))}.");
        }

        if (content[mediaType]?["schema"] is not { } schemaNode)
        {
            throw new KeyNotFoundException($"The {where} content '{mediaType}' has no schema.");
        }

        var cacheKey = $"response:{verb} {path} {key}";
        if (!_schemaCache.TryGetValue(cacheKey, out var schema))
        {
            // Inline response schemas refer to the registered document by its absolute URI.
            var translator = new Translator(_componentSchemas, DocumentUri + DefsRefPrefix);
            var translated = translator.Translate(schemaNode, $"paths['{path}'].{verb}.responses['{key}'].content['{mediaType}'].schema");
            if (translated is JsonObject translatedObject)
            {
                translatedObject["$schema"] = "https://json-schema.org/draft/2020-12/schema";
                translatedObject["$id"] = $"{DocumentUri}/responses/{_schemaCache.Count.ToString(CultureInfo.InvariantCulture)}";
            }

            schema = JsonSchema.FromText(translated.ToJsonString());
            _schemaCache[cacheKey] = schema;
        }

        return schema;
    }

    private JsonNode? ResolveLocalRef(JsonNode? node, string where)
    {
        for (var hops = 0; node is JsonObject obj && obj["$ref"] is JsonValue refValue; hops++)
        {
            var reference = refValue.GetValue<string>();
            if (hops > 16 || !reference.StartsWith('#'))
            {
                throw new InvalidOperationException($"Cannot resolve $ref '{reference}' at {where}.");
            }

            if (!JsonPointer.Parse(reference[1..]).TryEvaluate(_spec, out node))
            {
                throw new KeyNotFoundException($"$ref '{reference}' at {where} points at nothing in the spec.");
            }
        }

        return node;
    }

    private List<string> Evaluate(JsonSchema schema, JsonNode? instance)
    {
        var results = schema.Evaluate(instance, _options);

        var errors = new List<string>();
        if (results.IsValid)
        {
            return errors;
        }

        CollectErrors(results, instance, errors);
        if (errors.Count == 0)
        {
            errors.Add($"{FormatPointer(results.InstanceLocation)}: the instance does not match the schema.");
        }

        return errors.Distinct(StringComparer.Ordinal).ToList();
    }

    // Walks the hierarchical output, descending only into failing nodes, so that the failed branches of a
    // passing anyOf/oneOf are not reported.
    private void CollectErrors(EvaluationResults node, JsonNode? instance, List<string> errors)
    {
        if (node.IsValid)
        {
            return;
        }

        if (node.HasErrors)
        {
            foreach (var (keyword, message) in node.Errors!)
            {
                errors.Add($"{FormatPointer(node.InstanceLocation)}: {message}{DescribeEnum(node, keyword, instance)} "
                    + $"[{keyword} at {DescribeSchemaLocation(node, keyword)}]");
            }
        }

        if (node.HasDetails)
        {
            foreach (var detail in node.Details)
            {
                // A failing "if" only selects "else"; it is never an error of its own.
                if (!IsIfSubschema(detail))
                {
                    CollectErrors(detail, instance, errors);
                }
            }
        }
    }

    // JsonSchema.Net's enum message names neither the value nor the choices; add both when the schema is ours.
    private string DescribeEnum(EvaluationResults node, string keyword, JsonNode? instance)
    {
        if (keyword != "enum")
        {
            return "";
        }

        var location = Uri.UnescapeDataString(node.SchemaLocation.OriginalString);
        var hash = location.IndexOf('#', StringComparison.Ordinal);
        if (!location.StartsWith(DocumentUri + "#", StringComparison.Ordinal)
            || !JsonPointer.TryParse(location[(hash + 1)..], out var pointer)
            || !pointer.TryEvaluate(_translatedDocument, out var schema)
            || schema?["enum"] is not JsonArray values)
        {
            return "";
        }

        var got = node.InstanceLocation.TryEvaluate(instance, out var value) ? value?.ToJsonString() ?? "null" : "?";
        return $" (got {got}; allowed: {string.Join(", ", values.Select(v => v?.ToJsonString() ?? "null"))})";
    }

    private static bool IsIfSubschema(EvaluationResults node) =>
        node.EvaluationPath.Count > 0 && node.EvaluationPath[^1] == "if";

    private static string FormatPointer(JsonPointer pointer)
    {
        var text = pointer.ToString();
        return text.Length == 0 ? "/ (root)" : text;
    }

    private static string DescribeSchemaLocation(EvaluationResults node, string keyword)
    {
        var location = Uri.UnescapeDataString(node.SchemaLocation.OriginalString);
        var defs = DocumentUri + DefsRefPrefix;
        if (location.StartsWith(defs, StringComparison.Ordinal))
        {
            return ComponentRefPrefix + location[defs.Length..] + "/" + keyword;
        }

        return node.EvaluationPath + "/" + keyword;
    }

    private static string EscapeToken(string name) => name.Replace("~", "~0").Replace("/", "~1");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string target, IReadOnlyList<string> errors, JsonNode? instance)
    {
        var json = instance?.ToJsonString(IndentedJson) ?? "null";
        if (json.Length > MaxInstanceCharsInMessage)
        {
            json = json[..MaxInstanceCharsInMessage] + $"\n… ({json.Length - MaxInstanceCharsInMessage} more characters)";
        }

        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"JSON does not validate against {target}: {errors.Count} error(s)")
            .AppendLine();
        foreach (var error in errors)
        {
            message.Append("  ").AppendLine(error);
        }

        message.AppendLine("Instance:").Append(json);
        Xunit.Assert.Fail(message.ToString());
    }

    /// <summary>Turns OpenAPI 3.0 schema objects into draft 2020-12 schemas.</summary>
    private sealed class Translator(JsonObject components, string refPrefix)
    {
        private readonly List<string> _adjustments = [];

        public IReadOnlyList<string> Adjustments => _adjustments;

        public JsonNode Translate(JsonNode? schema, string location)
        {
            if (schema is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                return value.DeepClone();
            }

            if (schema is not JsonObject source)
            {
                throw new InvalidOperationException(
                    $"Expected a schema object at {location} but found {schema?.GetValueKind().ToString() ?? "null"}.");
            }

            var nullable = source["nullable"] is JsonValue n && n.GetValueKind() == JsonValueKind.True;

            if (source["$ref"] is { } refNode)
            {
                // OpenAPI 3.0: a Reference Object replaces the schema; its siblings are ignored.
                var reference = new JsonObject { ["$ref"] = RewriteRef(refNode, location) };
                return nullable ? AllowNull(reference) : reference;
            }

            var target = new JsonObject();
            foreach (var (keyword, node) in source)
            {
                if (keyword == "nullable" || IgnoredKeywords.Contains(keyword)
                    || keyword.StartsWith("x-", StringComparison.Ordinal))
                {
                    continue;
                }

                var at = $"{location}/{EscapeToken(keyword)}";
                switch (keyword)
                {
                    case "properties":
                        var properties = new JsonObject();
                        foreach (var (name, propertySchema) in AsObject(node, at))
                        {
                            properties[name] = Translate(propertySchema, $"{at}/{EscapeToken(name)}");
                        }

                        target[keyword] = properties;
                        break;
                    case "items":
                    case "not":
                    case "additionalProperties":
                        target[keyword] = Translate(node, at);
                        break;
                    case "allOf":
                    case "anyOf":
                    case "oneOf":
                        var list = new JsonArray();
                        var index = 0;
                        foreach (var item in AsArray(node, at))
                        {
                            list.Add(Translate(item, $"{at}/{index++}"));
                        }

                        target[keyword] = list;
                        break;
                    case "exclusiveMinimum":
                    case "exclusiveMaximum":
                        // OpenAPI 3.0 (draft 4 style): a boolean modifying minimum/maximum; handled below.
                        break;
                    default:
                        if (PassThroughKeywords.Contains(keyword))
                        {
                            target[keyword] = node?.DeepClone();
                        }

                        // Anything else is not an OpenAPI 3.0 schema keyword and has no meaning there.
                        break;
                }
            }

            MoveExclusiveBound(source, target, "exclusiveMinimum", "minimum");
            MoveExclusiveBound(source, target, "exclusiveMaximum", "maximum");
            DropTypeContradictingAllOf(target, location);

            return nullable ? AllowNull(target) : target;
        }

        private string RewriteRef(JsonNode refNode, string location)
        {
            var reference = refNode.GetValue<string>();
            if (!reference.StartsWith(ComponentRefPrefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Unsupported $ref '{reference}' at {location}: only '{ComponentRefPrefix}…' references are supported.");
            }

            var token = reference[ComponentRefPrefix.Length..];
            var name = token.Replace("~1", "/").Replace("~0", "~");
            if (!components.ContainsKey(name))
            {
                throw new InvalidOperationException($"$ref '{reference}' at {location} names a schema the spec lacks.");
            }

            return refPrefix + token;
        }

        // swaggo emits {"type":"object","allOf":[{"$ref":"…/fly.ContainerHealthcheckKind"}]} for a field whose
        // referenced schema is a string enum; taken literally nothing validates, so the referenced type wins.
        private void DropTypeContradictingAllOf(JsonObject target, string location)
        {
            if (target["type"] is not JsonValue typeValue || typeValue.GetValueKind() != JsonValueKind.String
                || target["allOf"] is not JsonArray allOf)
            {
                return;
            }

            var type = typeValue.GetValue<string>();
            foreach (var item in allOf)
            {
                if (item is not JsonObject { Count: 1 } entry || entry["$ref"] is not JsonValue refValue)
                {
                    continue;
                }

                var name = refValue.GetValue<string>()[refPrefix.Length..].Replace("~1", "/").Replace("~0", "~");
                if (components[name]?["type"] is JsonValue referencedType
                    && referencedType.GetValueKind() == JsonValueKind.String
                    && !TypesOverlap(type, referencedType.GetValue<string>()))
                {
                    target.Remove("type");
                    _adjustments.Add($"{location}: dropped \"type\": \"{type}\" beside allOf "
                        + $"[$ref {ComponentRefPrefix}{name}] whose type is \"{referencedType.GetValue<string>()}\"");
                    return;
                }
            }
        }

        private static bool TypesOverlap(string a, string b) =>
            a == b || (a is "integer" or "number" && b is "integer" or "number");

        private static void MoveExclusiveBound(JsonObject source, JsonObject target, string exclusive, string bound)
        {
            switch (source[exclusive])
            {
                case JsonValue flag when flag.GetValueKind() == JsonValueKind.True:
                    if (target[bound] is { } limit)
                    {
                        target.Remove(bound);
                        target[exclusive] = limit.DeepClone();
                    }

                    break;
                case JsonValue number when number.GetValueKind() == JsonValueKind.Number:
                    // Already the numeric (OpenAPI 3.1 / 2020-12) form.
                    target[exclusive] = number.DeepClone();
                    break;
            }
        }

        private static JsonNode AllowNull(JsonObject schema)
        {
            var hasComposition = schema.ContainsKey("$ref") || schema.ContainsKey("allOf")
                || schema.ContainsKey("anyOf") || schema.ContainsKey("oneOf") || schema.ContainsKey("not");
            if (!hasComposition && schema["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String)
            {
                schema["type"] = new JsonArray(type.GetValue<string>(), "null");
                if (schema["enum"] is JsonArray values && !values.Any(v => v is null))
                {
                    values.Add(null);
                }

                return schema;
            }

            // if/else rather than anyOf: a non-null value then reports only the errors of the real schema.
            return new JsonObject { ["if"] = new JsonObject { ["type"] = "null" }, ["else"] = schema };
        }

        private static JsonObject AsObject(JsonNode? node, string location) =>
            node as JsonObject ?? throw new InvalidOperationException($"Expected an object at {location}.");

        private static JsonArray AsArray(JsonNode? node, string location) =>
            node as JsonArray ?? throw new InvalidOperationException($"Expected an array at {location}.");
    }
}
