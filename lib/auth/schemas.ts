import { z } from "zod";

export const SCOPES = ["read", "write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export const EmailSchema = z.string().trim().toLowerCase().pipe(z.email({ message: "Enter a valid email address" })).pipe(z.string().max(254));
export const PasswordSchema = z
  .string({ message: "Password is required" })
  .min(8, { message: "Password must be at least 8 characters" })
  .max(200, { message: "Password must be at most 200 characters" });
export const NameSchema = z.string().trim().min(1).max(80);

export const RegisterSchema = z.object({
  email: EmailSchema,
  password: PasswordSchema,
  name: NameSchema.optional(),
});
export type RegisterInput = z.infer<typeof RegisterSchema>;

export const SignInSchema = z.object({ email: EmailSchema, password: z.string().min(1, { message: "Password is required" }) });

export const TokenScopesSchema = z.array(z.enum(SCOPES)).min(1, { message: "Pick at least one scope" }).max(3);

export const CreateTokenSchema = z.object({
  name: z.string().trim().min(1, { message: "Give the token a name" }).max(80),
  scopes: TokenScopesSchema.default(["read"]),
});

export const TokenExchangeSchema = z.object({
  email: EmailSchema,
  password: z.string().min(1, { message: "Password is required" }),
  name: z.string().trim().min(1).max(80).optional(),
  scopes: TokenScopesSchema.optional(),
});
