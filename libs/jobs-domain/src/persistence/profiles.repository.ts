import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import { UserProfile } from '../domain/job';
import { JobsTable, stripUndefined } from './jobs-table';
import { PROFILE_SK, userPk } from './keys';

/** The user's profile item, beside their jobs, where the worker reads the webhook. */
@Injectable()
export class ProfilesRepository extends JobsTable {
  /** The stored profile, or an empty one for a user who never set anything. */
  async get(userId: string): Promise<UserProfile> {
    const out = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { pk: userPk(userId), sk: PROFILE_SK } }),
    );
    return { userId, webhookUrl: (out.Item?.webhookUrl as string | undefined) ?? undefined };
  }

  async put(profile: UserProfile): Promise<void> {
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: userPk(profile.userId),
          sk: PROFILE_SK,
          entity: 'PROFILE',
          ...stripUndefined({ ...profile }),
        },
      }),
    );
  }
}
