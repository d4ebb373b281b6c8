/**
 * The stack contract lives in `@wine/stack-contract` (packages/stack-contract), a package with
 * no dependencies, so that processes using it (the Azure data plane, the compose tooling) do
 * not ship the Terraform bindings in their images. Re-exported here, unchanged, for the
 * infrastructure modules and for `@wine/infrastructure/services`.
 */
export * from '@wine/stack-contract';
