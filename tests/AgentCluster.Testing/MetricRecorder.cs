using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace AgentCluster.Testing;

/// <summary>
/// Every measurement of the <c>AgentCluster</c> meter made through one meter factory (one node's), from the
/// moment it is made: other clusters in the same test process have their own factories and are not heard.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<Measurement> measurements = new();

    public MetricRecorder(IMeterFactory scope)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "AgentCluster" && ReferenceEquals(instrument.Meter.Scope, scope)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.Start();
    }

    public sealed record Measurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags);

    public IReadOnlyList<Measurement> Of(string instrument, params (string Key, object? Value)[] where) =>
        measurements.Where(m => m.Instrument == instrument && where.All(w => Equals(m.Tags.GetValueOrDefault(w.Key), w.Value))).ToList();

    /// <summary>The sum of a counter's (or up-down counter's) measurements with these tags, since the recorder started.</summary>
    public double Sum(string instrument, params (string Key, object? Value)[] where) => Of(instrument, where).Sum(m => m.Value);

    public void Dispose() => listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var (key, tagValue) in tags) copy[key] = tagValue;
        measurements.Enqueue(new Measurement(instrument.Name, instrument.Unit, value, copy));
    }
}
