using System.Text.Json.Nodes;

namespace AgentCluster.Tests.Conformance;

/// <summary>The schema validator itself: it passes what Fly's spec allows and fails what it does not.</summary>
public sealed class OpenApiSchemasTests
{
    private const string MachineJson = """
        {"id":"1857156b526dd8","name":"aged-thunder-7371","state":"created","region":"ord","image_ref":{"registry":"registry-1.docker.io","repository":"library/ubuntu","tag":"latest","digest":"sha256:c9cf","labels":{"org.opencontainers.image.version":"22.04"}},"instance_id":"01HEPA330HZ37A78TK080NAK1M","private_ip":"fdaa:ff:ff:a7b:195:e229:8038:2","created_at":"2023-11-08T01:52:30Z","updated_at":"2023-11-08T01:52:30Z","config":{"init":{"exec":["/bin/sleep","inf"]},"image":"registry-1.docker.io/library/ubuntu:latest","auto_destroy":true,"restart":{"policy":"always"},"guest":{"cpu_kind":"shared","cpus":1,"memory_mb":256},"dns":{}},"events":[{"type":"launch","status":"created","source":"user","timestamp":1699408350300}]}
        """;

    private static readonly string SpecPath = Path.Combine(AppContext.BaseDirectory, "TestData", "machines-openapi.json");
    private static readonly Lazy<OpenApiSchemas> LazySchemas = new(() => OpenApiSchemas.Load(SpecPath));

    private static OpenApiSchemas Schemas => LazySchemas.Value;

    private static JsonNode Machine() => JsonNode.Parse(MachineJson)!;

    [Fact]
    public void Spec_loads_with_all_component_schemas()
    {
        Assert.Equal(135, Schemas.SchemaNames.Count);
        Assert.Contains("fly.MachineConfig", Schemas.SchemaNames);
    }

    [Fact]
    public void Realistic_machine_is_valid()
    {
        Assert.Empty(Schemas.Validate("Machine", Machine()));
        Schemas.AssertValid("Machine", Machine());
    }

    [Fact]
    public void Event_timestamp_that_is_not_an_integer_fails_at_its_location()
    {
        var machine = Machine();
        machine["events"]![0]!["timestamp"] = "yesterday";

        var errors = Schemas.Validate("Machine", machine);

        var error = Assert.Single(errors);
        Assert.StartsWith("/events/0/timestamp:", error);
        Assert.Contains("integer", error);
    }

    [Fact]
    public void Restart_policy_outside_the_enum_fails()
    {
        var errors = Schemas.Validate("fly.MachineConfig", JsonNode.Parse("""{"restart":{"policy":"sometimes"}}"""));

        var error = Assert.Single(errors);
        Assert.StartsWith("/restart/policy:", error);
        Assert.Contains("\"sometimes\"", error);
        Assert.Contains("\"on-failure\"", error);
    }

    [Fact]
    public void Guest_cpus_of_the_wrong_type_fails()
    {
        var errors = Schemas.Validate("fly.MachineConfig", JsonNode.Parse("""{"guest":{"cpus":"two"}}"""));

        Assert.Contains(errors, e => e.StartsWith("/guest/cpus:", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_error_is_reported_not_just_the_first()
    {
        var machine = Machine();
        machine["id"] = 42;
        machine["config"]!["guest"]!["memory_mb"] = "lots";
        machine["config"]!["restart"]!["policy"] = "sometimes";
        machine["events"]![0]!["timestamp"] = "yesterday";

        var errors = Schemas.Validate("Machine", machine);

        Assert.Contains(errors, e => e.StartsWith("/id:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("/config/guest/memory_mb:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("/config/restart/policy:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("/events/0/timestamp:", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Unknown_properties_are_allowed()
    {
        var machine = Machine();
        machine["something_fly_added_later"] = new JsonObject { ["x"] = 1 };
        machine["config"]!["guest"]!["future_knob"] = true;

        Assert.Empty(Schemas.Validate("Machine", machine));
    }

    [Fact]
    public void Null_or_wrongly_shaped_root_fails()
    {
        Assert.NotEmpty(Schemas.Validate("Machine", null));
        Assert.NotEmpty(Schemas.Validate("Machine", new JsonArray()));
        Assert.StartsWith("/ (root):", Schemas.Validate("Machine", "a string")[0]);
    }

    [Fact]
    public void Typed_additional_properties_are_checked()
    {
        Assert.Empty(Schemas.Validate("fly.MachineConfig", JsonNode.Parse("""{"env":{"A":"1"},"metadata":{"k":"v"}}""")));

        var errors = Schemas.Validate("fly.MachineConfig", JsonNode.Parse("""{"env":{"A":1}}"""));

        Assert.Contains(errors, e => e.StartsWith("/env/A:", StringComparison.Ordinal));
    }

    [Fact]
    public void Enum_field_that_swaggo_typed_as_object_accepts_its_string_values()
    {
        // The spec says {"type":"object","allOf":[{"$ref":"…/fly.ContainerHealthcheckKind"}]} (a string enum).
        Assert.Empty(Schemas.Validate("fly.ContainerHealthcheck", JsonNode.Parse("""{"kind":"readiness"}""")));
        Assert.NotEmpty(Schemas.Validate("fly.ContainerHealthcheck", JsonNode.Parse("""{"kind":"sometimes"}""")));
        Assert.NotEmpty(Schemas.Validate("fly.ContainerHealthcheck", JsonNode.Parse("""{"kind":{}}""")));
        Assert.Contains(Schemas.Adjustments, a => a.Contains("fly.ContainerHealthcheck/properties/kind", StringComparison.Ordinal));
    }

    [Fact]
    public void Machine_list_response_is_valid()
    {
        var list = new JsonArray(Machine(), Machine());

        Assert.Empty(Schemas.ValidateResponse("/apps/{app_name}/machines", "get", 200, list));
        Schemas.AssertValidResponse("/apps/{app_name}/machines", "GET", 200, list);
    }

    [Fact]
    public void Machine_list_response_with_a_numeric_id_fails()
    {
        var bad = Machine();
        bad["id"] = 1857156;
        var list = new JsonArray(Machine(), bad);

        var errors = Schemas.ValidateResponse("/apps/{app_name}/machines", "get", 200, list);

        var error = Assert.Single(errors);
        Assert.StartsWith("/1/id:", error);
    }

    [Fact]
    public void Machine_list_response_that_is_not_an_array_fails()
    {
        Assert.NotEmpty(Schemas.ValidateResponse("/apps/{app_name}/machines", "get", 200, Machine()));
    }

    [Fact]
    public void Wait_response_is_valid()
    {
        Assert.Empty(Schemas.ValidateResponse(
            "/apps/{app_name}/machines/{machine_id}/wait", "get", 200, JsonNode.Parse("""{"ok":true,"state":"started"}""")));
        Assert.NotEmpty(Schemas.ValidateResponse(
            "/apps/{app_name}/machines/{machine_id}/wait", "get", 200, JsonNode.Parse("""{"ok":"yes"}""")));
    }

    [Fact]
    public void Error_response_of_an_operation_is_validated()
    {
        Assert.Empty(Schemas.ValidateResponse(
            "/apps/{app_name}/machines/{machine_id}/wait", "get", 400, JsonNode.Parse("""{"error":"bad state"}""")));
        Assert.NotEmpty(Schemas.ValidateResponse(
            "/apps/{app_name}/machines/{machine_id}/wait", "get", 400, JsonNode.Parse("""{"error":42}""")));
    }

    [Fact]
    public void Unknown_operation_throws()
    {
        var noPath = Assert.Throws<KeyNotFoundException>(() =>
            Schemas.ValidateResponse("/apps/{app_name}/gizmos", "get", 200, new JsonObject()));
        Assert.Contains("/apps/{app_name}/gizmos", noPath.Message);

        var noMethod = Assert.Throws<KeyNotFoundException>(() =>
            Schemas.ValidateResponse("/apps/{app_name}/machines/{machine_id}/wait", "patch", 200, new JsonObject()));
        Assert.Contains("PATCH", noMethod.Message);
    }

    [Fact]
    public void Unknown_status_throws()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() =>
            Schemas.ValidateResponse("/apps/{app_name}/machines", "get", 418, new JsonArray()));
        Assert.Contains("418", ex.Message);
    }

    [Fact]
    public void Response_without_json_content_throws()
    {
        Assert.Throws<KeyNotFoundException>(() =>
            Schemas.ValidateResponse("/apps/{app_name}/machines/{machine_id}", "delete", 200, new JsonObject()));
        Assert.Throws<KeyNotFoundException>(() =>
            Schemas.ValidateResponse("/tokens/kms", "post", 200, "token"));
    }

    [Fact]
    public void Unknown_schema_name_throws()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => Schemas.Validate("MachineConfig", new JsonObject()));
        Assert.Contains("fly.MachineConfig", ex.Message);
    }

    [Fact]
    public void AssertValid_fails_the_test_with_every_error_and_the_instance()
    {
        var machine = Machine();
        machine["id"] = 42;
        machine["events"]![0]!["timestamp"] = "yesterday";

        var ex = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Schemas.AssertValid("Machine", machine));

        Assert.Contains("/id:", ex.Message);
        Assert.Contains("/events/0/timestamp:", ex.Message);
        Assert.Contains("aged-thunder-7371", ex.Message);
    }

    [Fact]
    public void AssertValidResponse_fails_the_test_with_the_operation_named()
    {
        var ex = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Schemas.AssertValidResponse(
            "/apps/{app_name}/machines/{machine_id}/wait", "get", 200, JsonNode.Parse("""{"ok":"yes"}""")));

        Assert.Contains("GET /apps/{app_name}/machines/{machine_id}/wait", ex.Message);
        Assert.Contains("/ok:", ex.Message);
    }

    [Fact]
    public void Every_component_schema_builds_and_accepts_an_instance_made_from_it()
    {
        var components = JsonNode.Parse(File.ReadAllText(SpecPath))!["components"]!["schemas"]!.AsObject();
        var failures = new List<string>();

        foreach (var (name, schema) in components)
        {
            try
            {
                var sample = Sample(schema!, components, depth: 0);
                var errors = Schemas.Validate(name, sample);
                if (errors.Count > 0)
                {
                    failures.Add($"{name}: {string.Join("; ", errors)} in {sample?.ToJsonString()}");
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                failures.Add($"{name}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void OpenApi_30_keywords_are_translated()
    {
        var path = Path.Combine(Path.GetTempPath(), $"openapi-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {
              "openapi": "3.0.1",
              "info": { "title": "t", "version": "1" },
              "paths": {
                "/things/{id}": {
                  "get": {
                    "responses": {
                      "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/my.Thing" } } } },
                      "default": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                    }
                  }
                }
              },
              "components": {
                "schemas": {
                  "my.Thing": {
                    "type": "object",
                    "required": ["id"],
                    "x-go-name": "Thing",
                    "example": { "id": 5 },
                    "properties": {
                      "id": { "type": "integer", "format": "int32", "minimum": 0, "exclusiveMinimum": true },
                      "when": { "type": "string", "format": "date-time", "nullable": true },
                      "uuid": { "type": "string", "format": "uuid", "example": "nope" },
                      "color": { "type": "string", "enum": ["red", "blue"], "nullable": true },
                      "tag": { "$ref": "#/components/schemas/Tag", "nullable": true },
                      "closed": { "type": "object", "additionalProperties": false, "properties": { "a": { "type": "string" } } },
                      "format": { "type": "string" },
                      "example": { "type": "boolean" }
                    }
                  },
                  "Tag": { "type": "object", "properties": { "name": { "type": "string" } } },
                  "Error": { "type": "object", "properties": { "error": { "type": "string" } } }
                }
              }
            }
            """);
        try
        {
            var schemas = OpenApiSchemas.Load(path);

            // Nulls where nullable; formats are not asserted; x-*/example ignored; properties named like keywords kept.
            Assert.Empty(schemas.Validate("my.Thing", JsonNode.Parse(
                """{"id":1,"when":null,"uuid":"not-a-uuid","color":null,"tag":null,"closed":{"a":"x"},"format":"f","example":true}""")));
            Assert.Empty(schemas.Validate("my.Thing", JsonNode.Parse(
                """{"id":1,"when":"not a date","color":"red","tag":{"name":"n"},"extra":[1,2]}""")));

            var errors = schemas.Validate("my.Thing", JsonNode.Parse(
                """{"id":0,"color":"green","tag":{"name":3},"closed":{"b":1},"format":1,"example":"no"}"""));
            Assert.Contains(errors, e => e.StartsWith("/id:", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("/color:", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("/tag/name:", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("/closed", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("/format:", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("/example:", StringComparison.Ordinal));
            Assert.DoesNotContain(errors, e => e.Contains("null", StringComparison.Ordinal) && e.StartsWith("/tag:", StringComparison.Ordinal));

            Assert.NotEmpty(schemas.Validate("my.Thing", JsonNode.Parse("""{"when":1}""")));
            Assert.NotEmpty(schemas.Validate("my.Thing", new JsonObject()));

            // A status the operation does not list falls back to "default".
            Assert.Empty(schemas.ValidateResponse("/things/{id}", "get", 404, JsonNode.Parse("""{"error":"gone"}""")));
            Assert.NotEmpty(schemas.ValidateResponse("/things/{id}", "get", 404, JsonNode.Parse("""{"error":1}""")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Unsupported_refs_are_rejected_when_loading()
    {
        var path = Path.Combine(Path.GetTempPath(), $"openapi-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {"openapi":"3.0.1","paths":{},"components":{"schemas":{"A":{"type":"object","properties":{"b":{"$ref":"#/components/schemas/Missing"}}}}}}
            """);
        try
        {
            var ex = Assert.Throws<InvalidOperationException>(() => OpenApiSchemas.Load(path));
            Assert.Contains("Missing", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Builds an instance that exercises every property of a schema, following $refs, to show each one builds,
    // resolves and accepts data of the declared shape.
    private static JsonNode? Sample(JsonNode schema, JsonObject components, int depth)
    {
        if (schema["$ref"] is { } reference)
        {
            var name = reference.GetValue<string>()["#/components/schemas/".Length..];
            return Sample(components[name]!, components, depth + 1);
        }

        if (schema["enum"] is JsonArray values)
        {
            return values[0]?.DeepClone();
        }

        if (schema["allOf"] is JsonArray allOf && allOf.Count == 1)
        {
            return Sample(allOf[0]!, components, depth + 1);
        }

        switch (schema["type"]?.GetValue<string>())
        {
            case "string": return "text";
            case "integer": return 7;
            case "number": return 1.5;
            case "boolean": return true;
            case "array":
                return depth > 8 ? new JsonArray() : new JsonArray(Sample(schema["items"]!, components, depth + 1));
            default:
                var result = new JsonObject();
                if (depth > 8)
                {
                    return result;
                }

                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (name, property) in properties)
                    {
                        result[name] = Sample(property!, components, depth + 1);
                    }
                }

                if (schema["additionalProperties"] is JsonObject additional)
                {
                    result["some_key"] = Sample(additional, components, depth + 1);
                }

                return result;
        }
    }
}
