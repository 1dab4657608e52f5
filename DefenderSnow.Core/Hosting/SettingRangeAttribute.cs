using System.ComponentModel.DataAnnotations;

namespace DefenderSnow.Core.Hosting;

/// <summary>
/// <see cref="RangeAttribute"/> whose <see cref="ValidationAttribute.ErrorMessage"/> is kept, so a failure names the
/// setting. The options validation generator replaces a plain <c>[Range]</c> with a copy of its own that ignores
/// <c>ErrorMessage</c> and reports "The field XOptions.Name must be between …" (dotnet/runtime#123137,
/// https://github.com/dotnet/runtime/issues/123137); a derived attribute is used as it is.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
internal sealed class SettingRangeAttribute : RangeAttribute
{
    public SettingRangeAttribute(int minimum, int maximum)
        : base(minimum, maximum)
    {
    }

    public SettingRangeAttribute(Type type, string minimum, string maximum)
        : base(type, minimum, maximum)
    {
        // The bounds are written as invariant TimeSpan literals ("00:01:00"), whatever the machine's culture.
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
    }
}
