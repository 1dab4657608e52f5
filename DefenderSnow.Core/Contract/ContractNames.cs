using System.Reflection;

namespace DefenderSnow.Core.Contract;

/// <summary>
/// The one way an enum value becomes a name of the HTTP contract and a name becomes the value: each member's
/// <see cref="ContractNameAttribute"/>, read once per enum. Names are matched exactly (as every enum value of the API),
/// numbers never parse, and a member without a name has none: writing it throws instead of inventing one.
/// </summary>
public static class ContractNames
{
    /// <exception cref="UnmappedContractValueException">The value has no contract name.</exception>
    public static string ToContract<T>(this T value)
        where T : struct, Enum =>
        Names<T>.ByValue.TryGetValue(value, out var name) ? name : throw new UnmappedContractValueException(typeof(T), value);

    /// <summary>The member named <paramref name="name"/> exactly, as the contract spells it.</summary>
    public static bool TryParse<T>(string? name, out T value)
        where T : struct, Enum =>
        Names<T>.ByName.TryGetValue(name ?? string.Empty, out value);

    /// <summary>
    /// For the few inputs the API has always read without case (a rule's <c>minimumSeverity</c>, the assignments'
    /// <c>status</c> filter); answers still carry the exact name.
    /// </summary>
    public static bool TryParseIgnoringCase<T>(string? name, out T value)
        where T : struct, Enum =>
        Names<T>.ByNameIgnoringCase.TryGetValue(name ?? string.Empty, out value);

    /// <summary>Every contract name of <typeparamref name="T"/>, in the order the members are declared.</summary>
    public static IReadOnlyList<string> Of<T>()
        where T : struct, Enum => Names<T>.All;

    /// <summary>The names for an error message: <c>'a', 'b' or 'c'</c>.</summary>
    public static string Choices<T>()
        where T : struct, Enum
    {
        var quoted = Names<T>.All.Select(n => $"'{n}'").ToList();
        return quoted.Count == 1 ? quoted[0] : $"{string.Join(", ", quoted[..^1])} or {quoted[^1]}";
    }

    /// <summary>Built on first use of each enum; two members sharing a name fail it then, since neither could be read back.</summary>
    private static class Names<T>
        where T : struct, Enum
    {
        private static readonly (T Value, string Name)[] Named = Read();

        public static readonly IReadOnlyList<string> All = Named.Select(n => n.Name).ToList();

        public static readonly Dictionary<T, string> ByValue = Named.ToDictionary(n => n.Value, n => n.Name);

        public static readonly Dictionary<string, T> ByName = Named.ToDictionary(n => n.Name, n => n.Value, StringComparer.Ordinal);

        public static readonly Dictionary<string, T> ByNameIgnoringCase = Named.ToDictionary(n => n.Name, n => n.Value, StringComparer.OrdinalIgnoreCase);

        private static (T Value, string Name)[] Read() =>
            typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
                .Select(f => (Field: f, Attribute: f.GetCustomAttribute<ContractNameAttribute>()))
                .Where(f => f.Attribute is not null)
                .Select(f => ((T)f.Field.GetValue(null)!, f.Attribute!.Name))
                .ToArray();
    }
}
