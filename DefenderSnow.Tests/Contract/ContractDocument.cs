using DefenderSnow.Tests.Infrastructure;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace DefenderSnow.Tests.Contract;

/// <summary>Reads <c>contract/openapi.yaml</c> for the tests that hold it against the code.</summary>
internal static class ContractDocument
{
    public const string Path = "contract/openapi.yaml";

    public static async Task<ReadResult> ReadAsync()
    {
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        await using var stream = File.OpenRead(System.IO.Path.Combine(Azurite.RepositoryRoot(), Path));
        var result = await OpenApiDocument.LoadAsync(stream, "yaml", settings);
        Assert.That(result.Document, Is.Not.Null, $"{Path} could not be read: {string.Join("; ", result.Diagnostic?.Errors ?? [])}");
        return result;
    }
}
