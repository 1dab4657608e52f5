using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using DefenderSnow.Core.Contract;

namespace DefenderSnow.Functions.Http;

/// <summary>
/// Writes and reads every enum of the contract by its <see cref="ContractNameAttribute"/>, through
/// <see cref="ContractNames"/>: the JSON has no naming rule of its own to drift from the names Core uses. A member
/// without a name cannot be written (<see cref="UnmappedContractValueException"/>), and only a name parses.
/// </summary>
internal sealed class ContractNameJsonConverter : JsonConverterFactory
{
    private static readonly MethodInfo CreateFor = typeof(ContractNameJsonConverter).GetMethod(nameof(Create), BindingFlags.NonPublic | BindingFlags.Static)!;

    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)CreateFor.MakeGenericMethod(typeToConvert).Invoke(null, null)!;

    private static Converter<T> Create<T>()
        where T : struct, Enum => new Converter<T>();

    private sealed class Converter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && ContractNames.TryParse(reader.GetString(), out T value)
                ? value
                : throw new JsonException($"Must be {ContractNames.Choices<T>()}.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToContract());
    }
}
