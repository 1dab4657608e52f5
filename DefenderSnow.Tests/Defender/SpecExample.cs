using System.Text.Json.Nodes;

namespace DefenderSnow.Tests.Defender;

/// <summary>The Resource Manager examples under <c>Defender/SpecExamples</c> (sources in <c>SOURCES.md</c>), and comparing JSON with them.</summary>
internal static class SpecExample
{
    public static JsonNode Read(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Defender", "SpecExamples", file)))!;

    public static void AssertSameJson(JsonNode actual, JsonNode expected) =>
        Assert.That(JsonNode.DeepEquals(actual, expected), Is.True, $"expected {expected.ToJsonString()}\n but was {actual?.ToJsonString()}");
}
