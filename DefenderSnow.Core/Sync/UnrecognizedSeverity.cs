namespace DefenderSnow.Core.Sync;

/// <summary>A recommendation whose metadata gave a severity DefenderSnow does not know, as Defender wrote it.</summary>
public sealed record UnrecognizedSeverity(string AssessmentName, string Severity);
