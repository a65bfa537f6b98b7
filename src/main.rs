use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = emporium::cli::Cli::parse();
    match emporium::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The cause chain, without a panic trace.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
