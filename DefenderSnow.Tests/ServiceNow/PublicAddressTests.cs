using System.Net;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Tests.ServiceNow;

public sealed class PublicAddressTests
{
    [TestCase("127.0.0.1")]
    [TestCase("127.255.0.9")]
    [TestCase("10.1.2.3")]
    [TestCase("172.16.0.1")]
    [TestCase("172.31.255.255")]
    [TestCase("192.168.1.1")]
    [TestCase("169.254.169.254")]
    [TestCase("100.64.0.1")]
    [TestCase("0.0.0.0")]
    [TestCase("224.0.0.1")]
    [TestCase("255.255.255.255")]
    [TestCase("::1")]
    [TestCase("::")]
    [TestCase("fe80::1")]
    [TestCase("fd00::1")]
    [TestCase("ff02::1")]
    [TestCase("::ffff:10.0.0.1")]
    [TestCase("::ffff:127.0.0.1")]
    [TestCase("2001:db8::1")]
    public void Local_private_and_special_addresses_are_not_public(string address)
    {
        Assert.That(PublicAddress.IsPublic(IPAddress.Parse(address)), Is.False);
    }

    [TestCase("149.96.5.10")]
    [TestCase("8.8.8.8")]
    [TestCase("172.32.0.1")]
    [TestCase("100.128.0.1")]
    [TestCase("2606:4700::1111")]
    [TestCase("::ffff:8.8.8.8")]
    public void Internet_addresses_are_public(string address)
    {
        Assert.That(PublicAddress.IsPublic(IPAddress.Parse(address)), Is.True);
    }
}
