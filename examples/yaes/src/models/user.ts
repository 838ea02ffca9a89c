/** A YAES user as the services see it — never carries the password hash. */
export interface User {
  id: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  username: string;
  firstName: string;
  lastName: string;
  mobileNumber: string;
}

/** What registering a user stores. */
export interface NewUser {
  username: string;
  firstName: string;
  lastName: string;
  mobileNumber: string;
  hashedPassword: string;
}
