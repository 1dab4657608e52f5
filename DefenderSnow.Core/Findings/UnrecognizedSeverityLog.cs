using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Findings;

/// <summary>
/// Logs a recommendation whose severity DefenderSnow does not know once per recommendation for the process's life:
/// the metadata catalog is read again hourly and a run may see it for thousands of findings, but one line says it.
/// </summary>
public sealed partial class UnrecognizedSeverityLog
{
    private readonly ILogger<UnrecognizedSeverityLog> _logger;
    private readonly HashSet<string> _reported = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    public UnrecognizedSeverityLog(ILogger<UnrecognizedSeverityLog> logger) => _logger = logger;

    /// <summary>Logs <paramref name="severity"/> of <paramref name="assessmentName"/> unless it was logged before; nothing for a known or absent severity.</summary>
    public void Report(string assessmentName, string? severity)
    {
        if (!FindingSeverity.IsUnrecognized(severity))
        {
            return;
        }

        bool first;
        lock (_lock)
        {
            first = _reported.Add(assessmentName);
        }

        if (first)
        {
            LogUnrecognizedSeverity(_logger, assessmentName, severity!);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recommendation {AssessmentName} has severity {Severity}, which DefenderSnow does not know: its findings are ticketed at the highest impact and meet every minimum severity")]
    private static partial void LogUnrecognizedSeverity(ILogger logger, string assessmentName, string severity);
}
