using System.Text.Json;
using AgentCluster.Fly.Json;
using AgentCluster.Fly.Models;

namespace AgentCluster.UnitTests.Fly;

/// <summary>The quirks of Fly's JSON that API-NOTES records, read and written as the live API does.</summary>
public sealed class FlyWireFormatTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("250ms", 250)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("30", 30_000)]
    public void Go_duration_strings_parse(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(5_000, "5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(250, "250ms")]
    [InlineData(7_200_000, "2h0m0s")]
    public void Durations_print_like_Go(int milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Bad_duration_is_refused() => Assert.Throws<FormatException>(() => GoDuration.Parse("five seconds"));

    [Fact]
    public void Durations_accept_nanosecond_integers()
    {
        var stop = JsonSerializer.Deserialize<StopConfig>("""{"signal":"SIGTERM","timeout":3000000000}""", FlyJson.Options)!;
        Assert.Equal(TimeSpan.FromSeconds(3), stop.Timeout);
        Assert.Equal("""{"signal":"SIGTERM","timeout":"3s"}""", JsonSerializer.Serialize(stop, FlyJson.Options));
    }

    [Theory]
    [InlineData("true", "stop")]
    [InlineData("false", "off")]
    [InlineData("\"suspend\"", "suspend")]
    public void Autostop_is_bool_or_string(string json, string expected)
    {
        var service = JsonSerializer.Deserialize<MachineService>($$"""{"internal_port":8080,"autostop":{{json}}}""", FlyJson.Options)!;
        Assert.Equal(expected, service.Autostop);
    }

    [Fact]
    public void Signal_is_string_or_number()
    {
        Assert.Equal("9", JsonSerializer.Deserialize<SignalRequest>("""{"signal":9}""", FlyJson.Options)!.Signal);
        Assert.Equal("SIGTERM", JsonSerializer.Deserialize<SignalRequest>("""{"signal":"SIGTERM"}""", FlyJson.Options)!.Signal);
    }

    [Fact]
    public void Lease_comes_in_an_envelope()
    {
        const string body = """{"status":"success","data":{"nonce":"5c35f65c9f95","expires_at":1708569778,"owner":"hello@fly.io","description":"","version":"01HQ73A7BFFDF1B6WMGHFZZ4E7"}}""";
        var lease = JsonSerializer.Deserialize<FlyEnvelope<Lease>>(body, FlyJson.Options)!;
        Assert.Equal("success", lease.Status);
        Assert.Equal("5c35f65c9f95", lease.Data!.Nonce);
        Assert.Equal(1708569778, lease.Data.ExpiresAt);
    }

    [Fact]
    public void Unknown_config_fields_round_trip_unchanged()
    {
        const string config = """{"image":"nginx","statics":[{"guest_path":"/a","url_prefix":"/b"}],"guest":{"cpu_kind":"shared","cpus":1,"memory_mb":256}}""";
        var parsed = JsonSerializer.Deserialize<MachineConfig>(config, FlyJson.Options)!;
        var again = JsonSerializer.Serialize(parsed, FlyJson.Options);
        Assert.Contains("\"statics\":[{\"guest_path\":\"/a\",\"url_prefix\":\"/b\"}]", again);
        Assert.Contains("\"cpu_kind\":\"shared\"", again);
    }

    [Fact]
    public void Exit_event_is_read_from_either_nesting()
    {
        var flat = JsonSerializer.Deserialize<MachineEventRequest>("""{"exit_event":{"exit_code":3}}""", FlyJson.Options)!;
        var nested = JsonSerializer.Deserialize<MachineEventRequest>("""{"MonitorEvent":{"exit_event":{"exit_code":4}}}""", FlyJson.Options)!;
        Assert.Equal(3, flat.Exit!.ExitCode);
        Assert.Equal(4, nested.Exit!.ExitCode);
    }

    [Fact]
    public void Timestamps_print_as_rfc3339_utc()
    {
        var machine = new Machine { Id = "1857156b526dd8", CreatedAt = new DateTimeOffset(2023, 11, 8, 1, 52, 30, TimeSpan.FromHours(2)) };
        Assert.Contains("\"created_at\":\"2023-11-07T23:52:30Z\"", JsonSerializer.Serialize(machine, FlyJson.Options));
    }
}
