using AgentCluster.FlyEmulator.Lifecycle;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgentCluster.FlyEmulator.State;

/// <summary>
/// The machines' private addresses (Fly's 6PN address, <c>FLY_PRIVATE_IP</c>), where their agents listen on a fixed port:
/// no two live machines may share one, not even machines of two emulators running on the same host at once (a test run
/// starts many). Each emulator takes the loopback block named by its own listening port, which no other live process
/// on the host listens on: <c>127.{port / 256}.{port % 256}.n</c> with n from 1 to 254. Addresses go round the block,
/// so that one a destroyed machine had comes back only after all the others: a caller that still holds it reaches
/// nobody rather than another machine. A stopped or suspended machine keeps its address, as on Fly. An emulator that
/// runs no processes (<see cref="EmulatorOptions.RunProcesses"/> false) has nobody listening there: its addresses go round
/// the block without limit, for runs of thousands of machines.
/// </summary>
internal sealed class PrivateAddresses(Func<int> listeningPort, bool exclusive = true)
{
    public const int BlockSize = 254;

    private readonly Lock sync = new();
    private readonly bool[] live = new bool[BlockSize + 1];
    private string? prefix;
    private int last;

    /// <summary>The block of the emulator's own server, whose port is known once it listens (before any request comes).</summary>
    public PrivateAddresses(IServer server, bool exclusive) : this(() => PortOf(server), exclusive)
    {
    }

    /// <summary>The next free address of the block.</summary>
    /// <exception cref="FlyError">422 when all <see cref="BlockSize"/> are taken by live machines (and they must be exclusive).</exception>
    public string Allocate()
    {
        lock (sync)
        {
            prefix ??= PrefixFor(listeningPort());
            for (var step = 1; step <= BlockSize; step++)
            {
                var n = (last + step - 1) % BlockSize + 1;
                if (live[n]) continue;
                live[n] = true;
                last = n;
                return prefix + n;
            }
            if (!exclusive)
            {
                last = last % BlockSize + 1;
                return prefix + last;
            }
            throw new FlyError(422, $"unable to create machine: all {BlockSize} private addresses of this emulator ({prefix}0/24) belong to machines that are not destroyed; destroy one first");
        }
    }

    /// <summary>A destroyed machine's address becomes free (its record still shows it, as Fly's does).</summary>
    public void Release(string address)
    {
        lock (sync)
        {
            if (prefix is null || !address.StartsWith(prefix, StringComparison.Ordinal)) return;
            if (int.TryParse(address.AsSpan(prefix.Length), out var n) && n is >= 1 and <= BlockSize) live[n] = false;
        }
    }

    public static string PrefixFor(int port) =>
        port is > 0 and <= ushort.MaxValue ? $"127.{port >> 8}.{port & 0xFF}." : throw new ArgumentOutOfRangeException(nameof(port), port, "not a listening port");

    private static int PortOf(IServer server)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The emulator's server has no address yet: machines get their private address block from its port.");
        return new Uri(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)).Port;
    }
}
