using System.Text.Json;

namespace DefenderSnow.Core.Storage;

/// <summary>How queue messages are written and read: camelCase JSON, unknown members refused.</summary>
public static class WorkQueueJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <exception cref="FormatException">The message is not a <typeparamref name="T"/>.</exception>
    public static T Read<T>(string message)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(message, Options) ?? throw new FormatException("The queue message is JSON null.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"The queue message is not a {typeof(T).Name}.", e);
        }
    }
}
