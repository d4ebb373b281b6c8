/** Terraform stack id: the folder under cdktf.out/stacks/ and the local state file name. */
export const STACK_NAME = 'wine-quality';
