using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>Keeps every log entry, rendered and structured, so tests can look for leaked values.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public sealed record Entry(LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Properties, Exception? Exception);

    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    /// <summary>Each entry as one line: message, property values and the whole exception chain.</summary>
    public IReadOnlyList<string> Lines => [.. _entries.Select(e => $"{e.Level} {e.Message} {string.Join(" ", e.Properties.Values)} {e.Exception}")];

    /// <summary>Everything written, for tests that search it.</summary>
    public string AllText => string.Join("\n", Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(_entries);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            entries.Enqueue(new Entry(logLevel, formatter(state, exception), properties, exception));
        }
    }
}
