using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Contract;

/// <summary>
/// The <c>top</c> of a list endpoint: how many items a page holds when the caller does not say (<see cref="Default"/>),
/// and the most a caller may ask for. Every list's <c>top</c> in <c>contract/openapi.yaml</c> has <c>minimum: 1</c> and
/// <c>maximum: 200</c>.
/// </summary>
public sealed record ListPageSize(int Default)
{
    public const int Max = 200;

    /// <summary>The query parameter, as a validation error names it.</summary>
    public const string Parameter = "top";

    public static string OutOfRange => $"Must be between 1 and {Max}.";

    /// <summary>The size asked for, or <see cref="Default"/>; <c>null</c> when outside 1 to <see cref="Max"/>.</summary>
    public int? Resolve(int? requested)
    {
        var size = requested ?? Default;
        return size is >= 1 and <= Max ? size : null;
    }

    /// <summary>As <see cref="Resolve"/>, refusing a size out of range.</summary>
    public int Require(int? requested) => Resolve(requested) ?? throw new ValidationException(Parameter, OutOfRange);
}
