namespace Atelier.Tests.Cli;

/// <summary>Runs the atelier CLI in-process and captures what it prints.</summary>
public static class CliHarness
{
    public sealed record CliResult(int ExitCode, string Out, string Err);

    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Atelier.Cli.Program.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
