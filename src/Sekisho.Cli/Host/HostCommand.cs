using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Cli.Host;

/// <summary><c>sekisho host</c>: shows and edits the host model stored in the state directory.</summary>
/// <remarks>
/// The host model (interfaces, addresses, routes, neighbours, forwarding) is what <c>sekisho trace</c> and
/// <c>sekisho replay</c> run packets through when no <c>--iface</c> is given. Each edit takes the xtables lock,
/// reads the file, changes it and writes it back atomically.
/// </remarks>
internal sealed class HostCommand
{
    public const string Usage =
        "Usage: sekisho host [COMMAND]\n" +
        "\n" +
        "Shows or edits the host model in the state directory (the host trace and replay use without --iface).\n" +
        "\n" +
        "Commands:\n" +
        "  show                                       print the host model (the default)\n" +
        "  add-iface NAME ADDRESS/PREFIXLEN [mac=MAC] [mtu=MTU]\n" +
        "                                             add an Ethernet interface with its first address\n" +
        "  del-iface NAME                             remove an interface, its routes and neighbours\n" +
        "  addr add|del ADDRESS/PREFIXLEN dev NAME    add or remove an address\n" +
        "  route add PREFIX|default [via GATEWAY] [dev NAME] [src ADDRESS]\n" +
        "  route del PREFIX|default                   add or remove a route\n" +
        "  neigh add ADDRESS lladdr MAC dev NAME      add a static neighbour (the MAC frames to it carry)\n" +
        "  neigh del ADDRESS                          remove one\n" +
        "  forwarding on|off                          whether the host forwards (net.ipv4.ip_forward)\n" +
        "  hostname NAME                              the name log lines carry\n" +
        "  listen|unlisten tcp|udp PORT               open or close a port of the host's own stack\n" +
        "  load FILE                                  replace the host model by a host file\n" +
        "  reset                                      forget the host model\n";

    private readonly StateDirectory _state;

    public HostCommand(StateDirectory state)
    {
        _state = state;
    }

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args.Count == 0 || args[0] == "show")
            {
                if (args.Count > 1)
                {
                    return Fail(stderr, $"unexpected argument `{args[1]}'");
                }

                var shown = _state.LoadHost();
                if (shown is null)
                {
                    stdout.Write("# no host model: trace and replay need --iface (sekisho host add-iface NAME ADDRESS/PREFIXLEN)\n");
                    return 0;
                }

                stdout.Write(shown.Format()[(HostDescription.Header.Length + 1)..]);
                return 0;
            }

            if (args[0] is "-h" or "--help" or "help")
            {
                stdout.Write(Usage);
                return 0;
            }

            using var held = _state.Lock(-1);
            if (args[0] == "reset")
            {
                Expect(args, 1);
                File.Delete(_state.HostPath);
                return 0;
            }

            HostDescription host;
            if (args[0] == "load")
            {
                Expect(args, 2);
                host = HostDescription.Parse(File.ReadAllText(args[1]), args[1]);
                _ = host.Build();
            }
            else
            {
                host = _state.LoadHost() ?? new HostDescription();
                Edit(host, args);
            }

            _state.SaveHost(host);
            return 0;
        }
        catch (FormatException ex)
        {
            return Fail(stderr, ex.Message);
        }
        catch (ArgumentException ex)
        {
            return Fail(stderr, ex.Message);
        }
        catch (IOException ex)
        {
            return Fail(stderr, ex.Message, 1);
        }
        catch (UnauthorizedAccessException ex)
        {
            return Fail(stderr, ex.Message, 1);
        }
        catch (XtablesException ex)
        {
            stderr.Write(ex.Message);
            return 4;
        }
    }

    private static void Edit(HostDescription host, IReadOnlyList<string> args)
    {
        switch (args[0])
        {
            case "add-iface":
                AddInterface(host, args);
                break;
            case "del-iface":
                Expect(args, 2);
                var iface = host.Find(args[1]) ?? throw new FormatException($"no interface {args[1]}");
                host.Interfaces.Remove(iface);
                host.Routes.RemoveAll(r => r.Device == iface.Name);
                host.Neighbours.RemoveAll(n => n.Device == iface.Name);
                break;
            case "addr" when args.Count == 5 && args[1] is "add" or "del" && args[3] == "dev":
                var device = host.Find(args[4]) ?? throw new FormatException($"no interface {args[4]}");
                var prefix = HostDescription.ParsePrefix(args[2]);
                if (args[1] == "add")
                {
                    if (device.Addresses.Contains(prefix))
                    {
                        throw new FormatException($"{args[2]} is already on {args[4]}");
                    }

                    device.Addresses.Add(prefix);
                }
                else if (!device.Addresses.Remove(prefix))
                {
                    throw new FormatException($"{args[2]} is not on {args[4]}");
                }

                break;
            case "route" when args.Count >= 3 && args[1] == "add":
                var route = HostRoute.Parse(args.Skip(2).ToList(), host);
                if (host.Routes.Any(r => r.Destination == route.Destination && r.PrefixLength == route.PrefixLength))
                {
                    throw new FormatException($"a route to {args[2]} exists (route del it first)");
                }

                host.Routes.Add(route);
                break;
            case "route" when args.Count == 3 && args[1] == "del":
                var (destination, length) = args[2] == "default" ? (default, 0) : HostDescription.ParsePrefix(args[2].Contains('/') ? args[2] : args[2] + "/32");
                if (host.Routes.RemoveAll(r => r.Destination == destination && r.PrefixLength == length) == 0)
                {
                    throw new FormatException($"no route to {args[2]}");
                }

                break;
            case "neigh" when args.Count == 7 && args[1] == "add":
                host.Apply(["neigh", .. args.Skip(2)]);
                break;
            case "neigh" when args.Count == 3 && args[1] == "del":
                var address = HostDescription.ParseAddress(args[2]);
                if (host.Neighbours.RemoveAll(n => n.Address == address) == 0)
                {
                    throw new FormatException($"no neighbour {args[2]}");
                }

                break;
            case "forwarding":
                Expect(args, 2);
                host.Forwarding = HostDescription.ParseSwitch(args[1]);
                break;
            case "hostname":
                Expect(args, 2);
                host.HostName = args[1];
                break;
            case "listen":
                Expect(args, 3);
                host.Apply(args);
                break;
            case "unlisten" when args.Count == 3 && args[1] is "tcp" or "udp":
                var ports = args[1] == "tcp" ? host.TcpListeners : host.UdpListeners;
                if (!ushort.TryParse(args[2], out ushort port) || !ports.Remove(port))
                {
                    throw new FormatException($"{args[1]} port {args[2]} is not open");
                }

                break;
            default:
                throw new FormatException($"bad command `{string.Join(' ', args)}' (see sekisho host --help)");
        }
    }

    private static void AddInterface(HostDescription host, IReadOnlyList<string> args)
    {
        if (args.Count < 3)
        {
            throw new FormatException("usage: add-iface NAME ADDRESS/PREFIXLEN [mac=MAC] [mtu=MTU]");
        }

        var words = new List<string> { "iface", args[1] };
        foreach (string option in args.Skip(3))
        {
            int equals = option.IndexOf('=');
            if (equals <= 0 || option[..equals] is not ("mac" or "mtu"))
            {
                throw new FormatException($"unknown option `{option}' (mac=MAC or mtu=MTU)");
            }

            words.Add(option[..equals]);
            words.Add(option[(equals + 1)..]);
        }

        var prefix = HostDescription.ParsePrefix(args[2]);
        host.Apply(words);
        host.Interfaces[^1].Addresses.Add(prefix);
    }

    private static void Expect(IReadOnlyList<string> args, int count)
    {
        if (args.Count != count)
        {
            throw new FormatException($"bad command `{string.Join(' ', args)}' (see sekisho host --help)");
        }
    }

    private static int Fail(TextWriter stderr, string message, int code = 2)
    {
        stderr.Write($"sekisho host: {message}\n");
        return code;
    }
}
