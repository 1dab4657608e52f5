using System.Net;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Tests.ServiceNow;

public sealed class PublicAddressTests
{
    public static IEnumerable<TestCaseData> SpecialRangeEdges() =>
        PublicAddress.SpecialIPv4.Concat(PublicAddress.SpecialIPv6)
            .SelectMany(range => new[] { First(range), Last(range) }.Select(a => new TestCaseData(a.ToString()).SetName($"Not public: {a} in {range}")));

    public static IEnumerable<TestCaseData> EmbeddedPrivateAddresses()
    {
        foreach (var (range, offset) in PublicAddress.EmbeddedIPv4.Append((IPNetwork.Parse("::ffff:0:0/96"), 12)))
        {
            foreach (var inner in new[] { "10.0.0.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.1", "192.168.7.7" })
            {
                var bytes = range.BaseAddress.GetAddressBytes();
                IPAddress.Parse(inner).GetAddressBytes().CopyTo(bytes, offset);
                var address = new IPAddress(bytes);
                yield return new TestCaseData(address.ToString()).SetName($"Not public: {address} wraps {inner} in {range}");
            }
        }
    }

    [TestCaseSource(nameof(SpecialRangeEdges))]
    [TestCaseSource(nameof(EmbeddedPrivateAddresses))]
    [TestCase("100.127.255.255")]
    [TestCase("::ffff:172.16.0.1")]
    [TestCase("64:ff9b::a9fe:a9fe")]
    [TestCase("2002:a00:1::1")]
    [TestCase("fe80::1%2")]
    [TestCase("4000::1")]
    public void Local_private_and_special_addresses_are_not_public(string address)
    {
        Assert.That(PublicAddress.IsPublic(IPAddress.Parse(address)), Is.False);
    }

    [TestCase("149.96.5.10")]
    [TestCase("8.8.8.8")]
    [TestCase("9.255.255.255")]
    [TestCase("11.0.0.0")]
    [TestCase("172.32.0.1")]
    [TestCase("100.63.255.255")]
    [TestCase("100.128.0.1")]
    [TestCase("1.0.0.0")]
    [TestCase("223.255.255.255")]
    [TestCase("2606:4700::1111")]
    [TestCase("2001:200::1")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("64:ff9b::808:808")]
    [TestCase("2002:808:808::1")]
    public void Internet_addresses_are_public(string address)
    {
        Assert.That(PublicAddress.IsPublic(IPAddress.Parse(address)), Is.True);
    }

    private static IPAddress First(IPNetwork range) => range.BaseAddress;

    private static IPAddress Last(IPNetwork range)
    {
        var bytes = range.BaseAddress.GetAddressBytes();
        var total = bytes.Length * 8;
        for (var bit = range.PrefixLength; bit < total; bit++)
        {
            bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }
}
