using System.Net;
using AgentCluster.Silo.Webhooks;

namespace AgentCluster.UnitTests.Webhooks;

public class WebhookAddressPolicyTests
{
    private static readonly WebhookAddressPolicy Public = new(loopbackNode: false, []);

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.8.9.10", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.254", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("169.254.169.254", "link-local")] // the cloud metadata service
    [InlineData("fe80::1", "link-local")]
    [InlineData("fdaa:0:1::3", "unique local")] // Fly's private network (6PN)
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::ffff:10.0.0.1", "private")] // IPv4-mapped: judged as the IPv4 address it is
    [InlineData("::ffff:127.0.0.1", "loopback")]
    public void Refuses_addresses_only_the_node_can_reach(string address, string kind)
    {
        var decision = Public.Decide("receiver.example", IPAddress.Parse(address));
        Assert.False(decision.Allowed);
        Assert.Contains(kind, decision.Reason);
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("172.32.0.1")] // just past 172.16/12
    [InlineData("2606:4700::1111")]
    public void Allows_public_addresses(string address) =>
        Assert.True(Public.Decide("receiver.example", IPAddress.Parse(address)).Allowed);

    [Fact]
    public void A_node_on_loopback_may_call_loopback_but_still_not_its_network()
    {
        var local = new WebhookAddressPolicy(loopbackNode: true, []);
        Assert.True(local.Decide("localhost", IPAddress.Loopback).Allowed);
        Assert.True(local.Decide("localhost", IPAddress.IPv6Loopback).Allowed);
        Assert.False(local.Decide("x", IPAddress.Parse("10.0.0.1")).Allowed);
        Assert.False(local.Decide("x", IPAddress.Parse("169.254.169.254")).Allowed);
    }

    [Fact]
    public void The_allow_list_names_hosts_and_ranges()
    {
        var policy = new WebhookAddressPolicy(loopbackNode: false, ["hooks.internal", "10.1.0.0/16", "fdaa::/16", "192.168.5.5"]);
        Assert.True(policy.Decide("HOOKS.internal.", IPAddress.Parse("10.9.9.9")).Allowed);
        Assert.True(policy.Decide("a", IPAddress.Parse("10.1.200.3")).Allowed);
        Assert.False(policy.Decide("a", IPAddress.Parse("10.2.0.1")).Allowed);
        Assert.True(policy.Decide("a", IPAddress.Parse("fdaa:0:1::3")).Allowed);
        Assert.True(policy.Decide("a", IPAddress.Parse("192.168.5.5")).Allowed);
        Assert.False(policy.Decide("a", IPAddress.Parse("192.168.5.6")).Allowed);
    }

    [Fact]
    public void Every_address_of_a_name_must_be_allowed()
    {
        // A name resolving to one public and one private address could be connected to either: refused.
        var mixed = new[] { IPAddress.Parse("93.184.215.14"), IPAddress.Parse("10.0.0.5") };
        Assert.False(Public.DecideAll("rebind.example", mixed).Allowed);
        Assert.True(Public.DecideAll("ok.example", [IPAddress.Parse("93.184.215.14")]).Allowed);
        Assert.False(Public.DecideAll("nothing.example", []).Allowed);
    }

    [Theory]
    [InlineData("hooks.example.com", true)]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("fdaa::/16", true)]
    [InlineData("10.0.0.7", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("not a host", false)]
    [InlineData("http://x", false)]
    public void Allow_list_entries_are_checked_at_start_up(string entry, bool valid) =>
        Assert.Equal(valid, WebhookAddressPolicy.IsValidAllowEntry(entry));
}
