-- AlterEnum: clearing a rating is an event of its own ("unrate"), as unlike and unhide are.
ALTER TYPE "EventType" ADD VALUE 'unrate';
